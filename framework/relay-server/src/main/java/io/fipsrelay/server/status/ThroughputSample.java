package io.fipsrelay.server.status;

import java.util.Map;

/** Every product's rates over the interval that ended at {@code epochMillis}. */
public record ThroughputSample(long epochMillis, Map<String, ProductRates> products) {

    public ProductRates rates(String productId) {
        return products.getOrDefault(productId, ProductRates.IDLE);
    }
}

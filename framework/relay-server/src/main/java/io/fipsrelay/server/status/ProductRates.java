package io.fipsrelay.server.status;

/**
 * One product's traffic over one sample interval.
 *
 * @param bytesInPerSecond request bytes from the agent
 * @param bytesOutPerSecond answer bytes back to the agent
 * @param serverErrorsPerSecond answers with a 5xx status, from the relay or the intake
 */
public record ProductRates(double requestsPerSecond, double bytesInPerSecond, double bytesOutPerSecond,
                           double serverErrorsPerSecond) {

    public static final ProductRates IDLE = new ProductRates(0, 0, 0, 0);

    /** Both intervals' traffic together (a plugin's products). */
    public ProductRates plus(ProductRates other) {
        return new ProductRates(requestsPerSecond + other.requestsPerSecond, bytesInPerSecond + other.bytesInPerSecond,
                bytesOutPerSecond + other.bytesOutPerSecond, serverErrorsPerSecond + other.serverErrorsPerSecond);
    }

    /** Share of the interval's requests answered 5xx; null when there were none (no rate to speak of). */
    public Double errorRate() {
        return requestsPerSecond > 0 ? Math.min(1.0, serverErrorsPerSecond / requestsPerSecond) : null;
    }
}

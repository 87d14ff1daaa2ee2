package io.fipsrelay.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One product of the agent's port map: an id, the port offset from {@code listen.port-range-start},
 * the intake host prefix (the host is {@code prefix + "." + site}) and optional path routes to
 * other host prefixes, tried in order before the default.
 */
public final class Product {

    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final Pattern HOST_PREFIX = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

    private final String id;
    private final int portOffset;
    private final String hostPrefix;
    private final List<Route> routes;

    private Product(String id, int portOffset, String hostPrefix, List<Route> routes) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("product id must match " + ID + ": " + id);
        }
        if (portOffset < 1 || portOffset > 1000) {
            throw new IllegalArgumentException("port offset of product " + id + " must be 1..1000 (0 is the status port): " + portOffset);
        }
        requireHostPrefix(hostPrefix, id);
        this.id = id;
        this.portOffset = portOffset;
        this.hostPrefix = hostPrefix;
        this.routes = List.copyOf(routes);
    }

    static void requireHostPrefix(String hostPrefix, String owner) {
        if (hostPrefix == null || !HOST_PREFIX.matcher(hostPrefix).matches()) {
            throw new IllegalArgumentException("host prefix of " + owner + " is not a DNS name prefix: " + hostPrefix);
        }
    }

    /** A product whose requests all go to {@code hostPrefix.<site>}. */
    public static Product of(String id, int portOffset, String hostPrefix) {
        return new Product(id, portOffset, hostPrefix, List.of());
    }

    /** This product with one more path route, tried after the ones already declared. */
    public Product withRoute(Route route) {
        List<Route> more = new ArrayList<>(routes);
        more.add(Objects.requireNonNull(route, "route"));
        return new Product(id, portOffset, hostPrefix, more);
    }

    public String id() {
        return id;
    }

    public int portOffset() {
        return portOffset;
    }

    public String hostPrefix() {
        return hostPrefix;
    }

    public List<Route> routes() {
        return routes;
    }

    /** The intake host prefix for a request path: the first matching route's, else the product's. */
    public String hostPrefixFor(String path) {
        for (Route route : routes) {
            if (route.matches(path)) {
                return route.hostPrefix();
            }
        }
        return hostPrefix;
    }

    /** Every host prefix this product can send to (its own first). */
    public List<String> allHostPrefixes() {
        List<String> all = new ArrayList<>();
        all.add(hostPrefix);
        for (Route route : routes) {
            if (!all.contains(route.hostPrefix())) {
                all.add(route.hostPrefix());
            }
        }
        return all;
    }

    @Override
    public String toString() {
        return "Product[" + id + ", offset " + portOffset + ", " + hostPrefix + ", routes " + routes + "]";
    }
}

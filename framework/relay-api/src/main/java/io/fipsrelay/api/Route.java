package io.fipsrelay.api;

/**
 * Sends requests whose path matches to another intake host prefix than the product's default.
 * Paths are compared without the query string.
 */
public final class Route {

    private final String path;
    private final boolean andBelow;
    private final String hostPrefix;

    private Route(String path, boolean andBelow, String hostPrefix) {
        if (path == null || !path.startsWith("/") || path.endsWith("/") && path.length() > 1) {
            throw new IllegalArgumentException("route path must start with '/' and not end with one: " + path);
        }
        Product.requireHostPrefix(hostPrefix, "route " + path);
        this.path = path;
        this.andBelow = andBelow;
        this.hostPrefix = hostPrefix;
    }

    /** Exactly this path. */
    public static Route exact(String path, String hostPrefix) {
        return new Route(path, false, hostPrefix);
    }

    /** This path and every path below it ({@code path + "/..."}), but not {@code path + "x"}. */
    public static Route pathAndBelow(String path, String hostPrefix) {
        return new Route(path, true, hostPrefix);
    }

    public boolean matches(String requestPath) {
        if (requestPath.equals(path)) {
            return true;
        }
        return andBelow && requestPath.startsWith(path) && requestPath.charAt(path.length()) == '/';
    }

    public String hostPrefix() {
        return hostPrefix;
    }

    public String path() {
        return path;
    }

    public boolean andBelow() {
        return andBelow;
    }

    @Override
    public String toString() {
        return path + (andBelow ? "[/...]" : "") + " -> " + hostPrefix;
    }
}

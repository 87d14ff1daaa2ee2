package io.fipsrelay.core.settings;

/** An intake server: the name used for DNS, SNI, certificate checks and the Host header, and its port. */
public record HostAndPort(String host, int port) {

    /** Parses "host:port" (or "host", which takes the default port). */
    public static HostAndPort parse(String text, int defaultPort) {
        String s = text.trim();
        int colon = s.lastIndexOf(':');
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unbalanced '[' in " + text);
            }
            String host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (rest.isEmpty()) {
                return new HostAndPort(host, defaultPort);
            }
            if (!rest.startsWith(":")) {
                throw new IllegalArgumentException("expected ':port' after ']' in " + text);
            }
            return new HostAndPort(host, port(rest.substring(1), text));
        }
        if (colon < 0) {
            return new HostAndPort(requireHost(s, text), defaultPort);
        }
        return new HostAndPort(requireHost(s.substring(0, colon), text), port(s.substring(colon + 1), text));
    }

    private static String requireHost(String host, String text) {
        if (host.isEmpty() || !host.matches("[A-Za-z0-9.-]+")) {
            throw new IllegalArgumentException("not a host name: " + text);
        }
        return host.toLowerCase(java.util.Locale.ROOT);
    }

    private static int port(String p, String text) {
        try {
            int port = Integer.parseInt(p);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range 1..65535 in " + text);
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a port number in " + text);
        }
    }

    /** The Host header value: the port is left out when it is the https default. */
    public String hostHeader() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == 443 ? h : h + ":" + port;
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}

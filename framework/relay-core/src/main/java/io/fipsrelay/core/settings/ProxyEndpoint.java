package io.fipsrelay.core.settings;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;

/**
 * The site's egress HTTP proxy: where to open the TCP connection and, when the URL carries them,
 * the credentials for {@code Proxy-Authorization: Basic}.
 *
 * <p>The password never leaves this class as text: {@link #toString()} is the only string form and
 * shows {@code http://user:***@host:port}; the credentials are only ever handed out already encoded
 * in the header value ({@link #proxyAuthorization()}).
 */
public final class ProxyEndpoint {

    private final String host;
    private final int port;
    private final String user;
    private final String password;

    private ProxyEndpoint(String host, int port, String user, String password) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    /**
     * Parses {@code http://host:port} or {@code http://user:password@host:port} (user and password
     * percent-decoded; a trailing "/" allowed). The messages of a refusal never contain the password.
     *
     * @param schemeOptional whether "host:port" without "http://" is accepted (environment
     *                       variables, as curl and Go take them)
     */
    public static ProxyEndpoint parse(String text, boolean schemeOptional) {
        String s = text.trim();
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.startsWith("https://")) {
            throw new IllegalArgumentException("https:// proxies are not supported (" + redact(s)
                    + "): the relay speaks plain HTTP to the proxy only for the CONNECT line, then FIPS TLS to the"
                    + " intake runs end to end inside the tunnel, so the proxy sees nothing but ciphertext; use http://");
        }
        String rest;
        if (lower.startsWith("http://")) {
            rest = s.substring("http://".length());
        } else if (lower.contains("://")) {
            throw new IllegalArgumentException("not an http:// proxy URL: " + redact(s));
        } else if (schemeOptional) {
            rest = s;
        } else {
            throw new IllegalArgumentException("expected http://host:port or http://user:password@host:port, not " + redact(s));
        }
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("credentials must be user:password in " + redact(s));
            }
            user = decode(userInfo.substring(0, colon), "user name", s);
            password = decode(userInfo.substring(colon + 1), "password", s);
            if (user.isEmpty()) {
                throw new IllegalArgumentException("empty user name in " + redact(s));
            }
            if (password.isEmpty()) {
                throw new IllegalArgumentException("empty password in " + redact(s)
                        + " (is the environment variable behind ${?VAR} set?)");
            }
        }
        // Checked after the credentials are split off: a password from an environment variable may hold '/'.
        if (rest.indexOf('/') >= 0 || rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0) {
            throw new IllegalArgumentException("a proxy URL has no path, query or fragment: " + redact(s));
        }
        HostAndPort hp;
        try {
            hp = HostAndPort.parse(rest, -1);
        } catch (IllegalArgumentException e) {
            // HostAndPort's message quotes only host:port, which no longer holds the credentials.
            throw new IllegalArgumentException(e.getMessage() + " (proxy URL " + redact(s) + ")");
        }
        if (hp.port() == -1) {
            throw new IllegalArgumentException("no port in " + redact(s) + " (give it, e.g. http://proxy.example.com:3128)");
        }
        return new ProxyEndpoint(hp.host(), hp.port(), user, password);
    }

    private static String decode(String part, String what, String whole) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(part.length());
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c == '%') {
                if (i + 2 >= part.length() || Character.digit(part.charAt(i + 1), 16) < 0
                        || Character.digit(part.charAt(i + 2), 16) < 0) {
                    throw new IllegalArgumentException("the " + what + " in " + redact(whole)
                            + " is not percent-encoded correctly (write % as %25)");
                }
                out.write(Character.digit(part.charAt(i + 1), 16) * 16 + Character.digit(part.charAt(i + 2), 16));
                i += 2;
            } else if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("control character in the " + what + " of " + redact(whole));
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** {@code text} with whatever stands between "user:" and "@" replaced by "***" (for messages). */
    static String redact(String text) {
        int scheme = text.indexOf("://");
        int from = scheme < 0 ? 0 : scheme + 3;
        int at = text.lastIndexOf('@');
        if (at < from) {
            return text;
        }
        int colon = text.indexOf(':', from);
        return colon >= 0 && colon < at ? text.substring(0, colon + 1) + "***" + text.substring(at) : text;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** "host:port" of the proxy, without credentials (for causes, logs and metrics). */
    public String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    public boolean hasCredentials() {
        return user != null;
    }

    /** The value of {@code Proxy-Authorization} ("Basic ..."), or null when the URL has no credentials. */
    public String proxyAuthorization() {
        if (user == null) {
            return null;
        }
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The only string form: {@code http://user:***@host:port} or {@code http://host:port}. */
    @Override
    public String toString() {
        return "http://" + (user == null ? "" : user + ":***@") + address();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProxyEndpoint p && p.port == port && p.host.equals(host)
                && Objects.equals(p.user, user) && Objects.equals(p.password, password);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port, user);
    }
}

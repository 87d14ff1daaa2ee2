package io.fipsrelay.core.http;

/**
 * The RFC 3986 character classes a request-target and a Host value are checked against. A byte
 * outside them is refused rather than passed on: the relay and the intake must read a target the
 * same way, and characters such as {@code "<>\^`{|}#} are where readers disagree.
 */
final class UriSyntax {

    private static final boolean[] UNRESERVED_OR_SUB_DELIM = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            UNRESERVED_OR_SUB_DELIM[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            UNRESERVED_OR_SUB_DELIM[c] = true;
            UNRESERVED_OR_SUB_DELIM[c - 32] = true;
        }
        for (char c : "-._~!$&'()*+,;=".toCharArray()) {
            UNRESERVED_OR_SUB_DELIM[c] = true;
        }
    }

    private UriSyntax() {
    }

    /** unreserved / sub-delims (RFC 3986 2.2, 2.3). */
    static boolean unreservedOrSubDelim(int c) {
        return c >= 0 && c < 128 && UNRESERVED_OR_SUB_DELIM[c];
    }

    /** pchar without pct-encoded: unreserved / sub-delims / ":" / "@" (RFC 3986 3.3). */
    static boolean pcharLiteral(int c) {
        return unreservedOrSubDelim(c) || c == ':' || c == '@';
    }

    static boolean hexDigit(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** Whether {@code s[i]} starts a well-formed pct-encoded triplet ("%" HEXDIG HEXDIG). */
    static boolean pctEncodedAt(String s, int i) {
        return i + 2 < s.length() && s.charAt(i) == '%' && hexDigit(s.charAt(i + 1)) && hexDigit(s.charAt(i + 2));
    }

    /**
     * uri-host [ ":" port ] (RFC 9110 7.2, RFC 3986 3.2.2): a reg-name, an IPv4 address or a
     * bracketed IP literal, and at most five port digits. No userinfo.
     */
    static boolean isHostAndPort(String s) {
        int portColon;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 2) {
                return false;
            }
            for (int i = 1; i < close; i++) {
                char c = s.charAt(i);
                if (!(c == ':' || unreservedOrSubDelim(c))) {
                    return false;
                }
            }
            if (close == s.length() - 1) {
                return true;
            }
            if (s.charAt(close + 1) != ':') {
                return false;
            }
            portColon = close + 1;
        } else {
            portColon = s.indexOf(':');
            int hostEnd = portColon < 0 ? s.length() : portColon;
            for (int i = 0; i < hostEnd; i++) {
                char c = s.charAt(i);
                if (c == '%') {
                    if (!pctEncodedAt(s, i)) {
                        return false;
                    }
                    i += 2;
                } else if (!unreservedOrSubDelim(c)) {
                    return false;
                }
            }
            if (portColon < 0) {
                return true;
            }
        }
        String port = s.substring(portColon + 1);
        if (port.length() > 5) {
            return false;
        }
        for (int i = 0; i < port.length(); i++) {
            if (port.charAt(i) < '0' || port.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}

package io.fipsrelay.core.http;

import java.util.Locale;

/**
 * The request-target (RFC 9112 3.2) reduced to the origin-form the relay sends upstream.
 *
 * <p>The upstream and its Host come from the listener's product and the route of the path, never
 * from the target: an absolute-form target is accepted (RFC 9112 3.2.2 requires servers to) but
 * only its path and query are kept. The path is checked so that the route the relay picks from it
 * is the path the intake will serve: no dot-segments, no "//" prefix, RFC 3986 characters only.
 */
final class RequestTarget {

    private RequestTarget() {
    }

    /** The origin-form to send upstream, or a 400. */
    static String originForm(String method, String target) throws HttpParseException {
        if (target.startsWith("/")) {
            return checkedOriginForm(target);
        }
        if (target.equals("*")) {
            if (!method.equals("OPTIONS")) {
                throw new HttpParseException(400, "asterisk-form target outside OPTIONS");
            }
            return target;
        }
        String lower = target.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            return absoluteFormPath(target);
        }
        throw new HttpParseException(400, "request target is neither origin-form nor absolute-form");
    }

    private static String absoluteFormPath(String target) throws HttpParseException {
        int authorityStart = target.indexOf("//") + 2;
        int authorityEnd = authorityStart;
        while (authorityEnd < target.length() && target.charAt(authorityEnd) != '/' && target.charAt(authorityEnd) != '?') {
            authorityEnd++;
        }
        String authority = target.substring(authorityStart, authorityEnd);
        // RFC 9110 4.2.4: userinfo in an http(s) URI is an error; an empty host is invalid for http(s).
        if (authority.isEmpty() || authority.indexOf('@') >= 0 || !UriSyntax.isHostAndPort(authority)) {
            throw new HttpParseException(400, "invalid authority in an absolute-form target");
        }
        String rest = target.substring(authorityEnd);
        return checkedOriginForm(rest.isEmpty() || rest.charAt(0) == '?' ? "/" + rest : rest);
    }

    /** absolute-path [ "?" query ] with RFC 3986 characters, no "//" prefix, no dot-segments. */
    private static String checkedOriginForm(String origin) throws HttpParseException {
        if (origin.startsWith("//")) {
            // Read by some servers as a network-path reference naming another host.
            throw new HttpParseException(400, "request target starts with //");
        }
        int query = origin.indexOf('?');
        int pathEnd = query < 0 ? origin.length() : query;
        for (int i = 0; i < origin.length(); i++) {
            char c = origin.charAt(i);
            if (c == '%') {
                if (!UriSyntax.pctEncodedAt(origin, i)) {
                    throw new HttpParseException(400, "malformed percent-encoding in the request target");
                }
                i += 2;
            } else if (!(UriSyntax.pcharLiteral(c) || c == '/' || (i >= pathEnd && c == '?'))) {
                throw new HttpParseException(400, "character not allowed in the request target: "
                        + (c > 0x20 && c < 0x7f ? String.valueOf(c) : String.format("0x%02x", (int) c)));
            }
        }
        int segmentStart = 1;
        for (int i = 1; i <= pathEnd; i++) {
            if (i == pathEnd || origin.charAt(i) == '/') {
                if (isDotSegment(origin.substring(segmentStart, i))) {
                    throw new HttpParseException(400, "dot-segment in the request path");
                }
                segmentStart = i + 1;
            }
        }
        return origin;
    }

    /** "." or "..", also percent-encoded ("%2e", ".%2E", ...): RFC 3986 5.2.4 would remove them. */
    private static boolean isDotSegment(String segment) {
        String decoded = segment.replace("%2e", ".").replace("%2E", ".");
        return decoded.equals(".") || decoded.equals("..");
    }
}

package io.fipsrelay.core.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** RFC 9110/9112 syntax shared by requests and responses: lines, tokens, fields. */
final class HeadSyntax {

    private static final boolean[] TCHAR = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private HeadSyntax() {
    }

    static boolean isToken(byte[] b, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            int c = b[i] & 0xff;
            if (c >= 128 || !TCHAR[c]) {
                return false;
            }
        }
        return true;
    }

    /** Offsets of each line start in a head that ends with CRLF CRLF; the last entry is the empty line. */
    static List<int[]> lines(byte[] head) {
        List<int[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i + 1 < head.length; i++) {
            if (head[i] == '\r' && head[i + 1] == '\n') {
                lines.add(new int[] {start, i});
                start = i + 2;
                i++;
            }
        }
        return lines;
    }

    /** Parses the field lines (all but the first and the final empty one). */
    static List<HeaderField> fields(byte[] head, List<int[]> lines, int maxFields, int errorStatus, int tooManyStatus)
            throws HttpParseException {
        List<HeaderField> fields = new ArrayList<>(lines.size());
        for (int l = 1; l < lines.size() - 1; l++) {
            int start = lines.get(l)[0];
            int end = lines.get(l)[1];
            byte first = head[start];
            if (first == ' ' || first == '\t') {
                throw new HttpParseException(errorStatus, "obsolete line folding or leading whitespace in a field line");
            }
            int colon = -1;
            for (int i = start; i < end; i++) {
                if (head[i] == ':') {
                    colon = i;
                    break;
                }
            }
            if (colon < 0) {
                throw new HttpParseException(errorStatus, "field line without a colon");
            }
            if (head[colon - 1] == ' ' || head[colon - 1] == '\t') {
                throw new HttpParseException(errorStatus, "whitespace between a field name and the colon");
            }
            if (!isToken(head, start, colon)) {
                throw new HttpParseException(errorStatus, "invalid character in a field name");
            }
            int vs = colon + 1;
            int ve = end;
            while (vs < ve && (head[vs] == ' ' || head[vs] == '\t')) {
                vs++;
            }
            while (ve > vs && (head[ve - 1] == ' ' || head[ve - 1] == '\t')) {
                ve--;
            }
            for (int i = vs; i < ve; i++) {
                int c = head[i] & 0xff;
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    throw new HttpParseException(errorStatus, "control character in a field value");
                }
            }
            if (fields.size() == maxFields) {
                throw new HttpParseException(tooManyStatus, "more than " + maxFields + " header fields");
            }
            String name = new String(head, start, colon - start, StandardCharsets.US_ASCII);
            String value = new String(head, vs, ve - vs, StandardCharsets.ISO_8859_1);
            fields.add(new HeaderField(name, name.toLowerCase(Locale.ROOT), value, start, end));
        }
        return fields;
    }

    static int count(List<HeaderField> fields, String lowerName) {
        int n = 0;
        for (HeaderField f : fields) {
            if (f.lowerName().equals(lowerName)) {
                n++;
            }
        }
        return n;
    }

    static HeaderField first(List<HeaderField> fields, String lowerName) {
        for (HeaderField f : fields) {
            if (f.lowerName().equals(lowerName)) {
                return f;
            }
        }
        return null;
    }

    /** Content-Length as plain digits, or -1 when absent; anything else is refused. */
    static long contentLength(List<HeaderField> fields, int errorStatus) throws HttpParseException {
        int n = count(fields, "content-length");
        if (n == 0) {
            return -1;
        }
        if (n > 1) {
            throw new HttpParseException(errorStatus, "several Content-Length fields");
        }
        String v = first(fields, "content-length").value();
        if (v.isEmpty() || v.length() > 18) {
            throw new HttpParseException(errorStatus, "Content-Length is not a plain decimal number: " + v);
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                throw new HttpParseException(errorStatus, "Content-Length is not a plain decimal number: " + v);
            }
        }
        return Long.parseLong(v);
    }

    /** Whether the message is chunked; any Transfer-Encoding but a single "chunked" is refused. */
    static boolean chunked(List<HeaderField> fields, int errorStatus) throws HttpParseException {
        int n = count(fields, "transfer-encoding");
        if (n == 0) {
            return false;
        }
        if (n > 1) {
            throw new HttpParseException(errorStatus, "several Transfer-Encoding fields");
        }
        String v = first(fields, "transfer-encoding").value();
        if (!v.equalsIgnoreCase("chunked")) {
            throw new HttpParseException(errorStatus, "Transfer-Encoding other than chunked: " + v);
        }
        return true;
    }

    /** Lower-case names of the fields that must not be forwarded: RFC 9110 7.6.1 plus those Connection lists. */
    static java.util.Set<String> hopByHop(List<HeaderField> fields) {
        java.util.Set<String> names = new java.util.HashSet<>(
                List.of("connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade"));
        for (HeaderField f : fields) {
            if (f.lowerName().equals("connection")) {
                for (String token : f.value().split(",")) {
                    String t = token.trim().toLowerCase(Locale.ROOT);
                    if (!t.isEmpty()) {
                        names.add(t);
                    }
                }
            }
        }
        // Framing headers stay: the relay forwards the body with the framing it arrived with.
        names.remove("content-length");
        names.remove("transfer-encoding");
        return names;
    }

    static boolean connectionHas(List<HeaderField> fields, String option) {
        for (HeaderField f : fields) {
            if (f.lowerName().equals("connection")) {
                for (String token : f.value().split(",")) {
                    if (token.trim().equalsIgnoreCase(option)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}

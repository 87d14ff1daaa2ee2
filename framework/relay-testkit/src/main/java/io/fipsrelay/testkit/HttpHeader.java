package io.fipsrelay.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** One header field exactly as it appeared on the wire (name case preserved, value without surrounding blanks). */
public record HttpHeader(String name, String value) {

    public HttpHeader {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return name + ": " + value;
    }

    /** First value of the header called {@code name} (case-insensitive), or null. */
    static String first(List<HttpHeader> headers, String name) {
        for (HttpHeader header : headers) {
            if (header.name.equalsIgnoreCase(name)) {
                return header.value;
            }
        }
        return null;
    }

    /** Every value of the header called {@code name} (case-insensitive), in wire order. */
    static List<String> all(List<HttpHeader> headers, String name) {
        List<String> values = new ArrayList<>();
        for (HttpHeader header : headers) {
            if (header.name.equalsIgnoreCase(name)) {
                values.add(header.value);
            }
        }
        return List.copyOf(values);
    }
}

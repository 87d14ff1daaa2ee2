package io.fipsrelay.core.http;

/**
 * One field of a head. {@code start}/{@code end} delimit the raw line (without CRLF) in the head
 * bytes, so fields that pass through are copied byte for byte.
 */
public record HeaderField(String name, String lowerName, String value, int start, int end) {
}

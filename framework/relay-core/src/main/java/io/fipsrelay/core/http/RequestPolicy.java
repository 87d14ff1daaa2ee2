package io.fipsrelay.core.http;

import java.util.Set;

/** The limits a request is held to (docs/http-policy.md). */
public record RequestPolicy(int maxRequestLine, int maxHeaderSection, int maxHeaderFields, long maxBody,
                            Set<String> allowedMethods) {
}

package io.fipsrelay.core.audit;

import java.util.Locale;
import java.util.Set;

/**
 * A request target fit for a record: the value of every query parameter that carries a Datadog
 * key ({@code api_key}, {@code apikey}, {@code application_key}, {@code dd-api-key}, any case, also
 * percent-encoded names) replaced by {@code ***}. The rest of the target is kept byte for byte.
 */
public final class RedactedTarget {

    private static final Set<String> SECRET_PARAMETERS = Set.of("api_key", "apikey", "application_key", "dd-api-key");
    private static final String MASK = "***";

    private RedactedTarget() {
    }

    public static String of(String target) {
        if (target == null) {
            return null;
        }
        int query = target.indexOf('?');
        if (query < 0) {
            return target;
        }
        int fragment = target.indexOf('#', query);
        String end = fragment < 0 ? "" : target.substring(fragment);
        String params = fragment < 0 ? target.substring(query + 1) : target.substring(query + 1, fragment);
        StringBuilder out = new StringBuilder(target.length()).append(target, 0, query + 1);
        int start = 0;
        while (start <= params.length()) {
            int amp = params.indexOf('&', start);
            int stop = amp < 0 ? params.length() : amp;
            String pair = params.substring(start, stop);
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (eq >= 0 && isSecret(name)) {
                out.append(name).append('=').append(MASK);
            } else {
                out.append(pair);
            }
            if (amp < 0) {
                break;
            }
            out.append('&');
            start = amp + 1;
        }
        return out.append(end).toString();
    }

    private static boolean isSecret(String name) {
        String decoded;
        try {
            decoded = java.net.URLDecoder.decode(name, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            decoded = name;
        }
        return SECRET_PARAMETERS.contains(decoded.trim().toLowerCase(Locale.ROOT));
    }
}

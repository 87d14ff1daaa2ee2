package io.fipsrelay.core.settings;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code fips-relay.upstream.proxy} for {@link SettingsLoader}: the URL, the no-proxy list
 * and, only with {@code use-environment = true} and no URL, HTTPS_PROXY / https_proxy and
 * NO_PROXY / no_proxy. Problems go into the loader's list with their key path (or the variable's
 * name); none of them ever quotes a password.
 */
final class ProxySettingsReader {

    private static final String BLOCK = SettingsLoader.ROOT + ".upstream.proxy";

    private ProxySettingsReader() {
    }

    /** @param c the {@code fips-relay} block, resolved */
    static ProxySettings read(Config c, Map<String, String> environment, List<String> problems) {
        int before = problems.size();
        Boolean useEnvironment = null;
        try {
            useEnvironment = c.getBoolean("upstream.proxy.use-environment");
        } catch (ConfigException e) {
            problems.add(BLOCK + ".use-environment: " + reason(e));
        }
        String url = null;
        try {
            url = c.getIsNull("upstream.proxy.url") ? null : c.getString("upstream.proxy.url");
        } catch (ConfigException e) {
            problems.add(BLOCK + ".url: " + reason(e));
        }
        List<String> noProxy = new ArrayList<>();
        try {
            noProxy.addAll(c.getStringList("upstream.proxy.no-proxy"));
        } catch (ConfigException e) {
            problems.add(BLOCK + ".no-proxy: " + reason(e));
        }

        String origin = "upstream.proxy.url";
        String noProxyOrigin = BLOCK + ".no-proxy";
        ProxyEndpoint endpoint = null;
        NoProxyMatcher matcher = NoProxyMatcher.none();
        try {
            matcher = NoProxyMatcher.parse(noProxy);
        } catch (IllegalArgumentException e) {
            problems.add(noProxyOrigin + ": " + e.getMessage());
        }
        if (url != null && !url.isBlank()) {
            try {
                endpoint = ProxyEndpoint.parse(url, false);
            } catch (IllegalArgumentException e) {
                problems.add(BLOCK + ".url: " + e.getMessage());
            }
        } else if (Boolean.TRUE.equals(useEnvironment)) {
            String var = firstSet(environment, "HTTPS_PROXY", "https_proxy");
            if (var != null) {
                origin = var;
                try {
                    endpoint = ProxyEndpoint.parse(environment.get(var), true);
                } catch (IllegalArgumentException e) {
                    problems.add("environment " + var + " (" + BLOCK + ".use-environment = true): " + e.getMessage());
                }
                String noVar = firstSet(environment, "NO_PROXY", "no_proxy");
                if (noVar != null) {
                    List<String> all = new ArrayList<>(noProxy);
                    all.addAll(List.of(environment.get(noVar).split(",")));
                    try {
                        matcher = NoProxyMatcher.parse(all);
                    } catch (IllegalArgumentException e) {
                        problems.add("environment " + noVar + " (" + BLOCK + ".use-environment = true): " + e.getMessage());
                    }
                }
            }
        }
        if (problems.size() > before || endpoint == null) {
            return ProxySettings.direct();
        }
        return new ProxySettings(endpoint, matcher, origin);
    }

    private static String firstSet(Map<String, String> environment, String... names) {
        for (String n : names) {
            String v = environment.get(n);
            if (v != null && !v.isBlank()) {
                return n;
            }
        }
        return null;
    }

    /** Typesafe Config's message without its origin prefix, and never the value (it may hold a password). */
    private static String reason(ConfigException e) {
        if (e instanceof ConfigException.WrongType) {
            String m = e.getMessage();
            int i = m.lastIndexOf(" has type ");
            return i >= 0 ? "has" + m.substring(i + " has".length()) : "wrong type";
        }
        if (e instanceof ConfigException.Missing) {
            return "missing";
        }
        return "invalid value";
    }
}

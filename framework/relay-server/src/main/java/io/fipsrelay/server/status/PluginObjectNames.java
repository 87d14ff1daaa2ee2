package io.fipsrelay.server.status;

import com.codahale.metrics.jmx.ObjectNameFactory;
import io.fipsrelay.server.status.prometheus.PrometheusNames;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * JMX names carrying what /metrics carries as labels: {@code fips-relay:type=meters,name=fips-relay.ndm.requests,
 * product=ndm,plugin=network-devices}, and {@code plugin=...} on a plugin's info gauges. The
 * {@code name} and {@code type} keys stay those of Dropwizard's default names, so existing queries
 * such as {@code fips-relay:name=fips-relay.ndm.requests,*} keep working. A name is made when its
 * metric is registered, which for a product happens once its plugin is loaded.
 *
 * <p>Dropwizard's JMX listener asks for the name again when a metric is removed and unregisters
 * what it gets; by then the plugin may be gone from the owners, so the name made at registration
 * is kept and handed back once for the removal (the listener alternates add and remove per name).
 */
final class PluginObjectNames implements ObjectNameFactory {

    private final Supplier<Map<String, String>> owners;
    /** Names handed out for metrics registered now, by type and metric name. */
    private final Map<String, ObjectName> registered = new ConcurrentHashMap<>();

    PluginObjectNames(Supplier<Map<String, String>> owners) {
        this.owners = owners;
    }

    @Override
    public ObjectName createName(String type, String domain, String name) {
        String key = type + " " + domain + " " + name;
        ObjectName made = registered.remove(key);
        if (made != null) {
            return made;
        }
        made = newName(type, domain, name);
        registered.put(key, made);
        return made;
    }

    private ObjectName newName(String type, String domain, String name) {
        Hashtable<String, String> keys = new Hashtable<>();
        keys.put("type", value(type));
        keys.put("name", value(name));
        String product = PrometheusNames.family(name).labels().get("product");
        String plugin = product != null ? owners.get().get(product) : pluginOfInfoGauge(name);
        if (product != null) {
            keys.put("product", value(product));
        }
        if (plugin != null) {
            keys.put("plugin", value(plugin));
        }
        try {
            return new ObjectName(domain, keys);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("no JMX name for metric " + name + ": " + e.getMessage(), e);
        }
    }

    private static String pluginOfInfoGauge(String name) {
        if (!name.startsWith(PluginInfoGauges.PREFIX)) {
            return null;
        }
        int dot = name.lastIndexOf('.');
        return dot > PluginInfoGauges.PREFIX.length() ? name.substring(PluginInfoGauges.PREFIX.length(), dot) : null;
    }

    /** Quoted when it holds a character an unquoted ObjectName value may not (as Dropwizard's default factory does). */
    private static String value(String raw) {
        return raw.matches("[^,=:\"*?\\n]*") ? raw : ObjectName.quote(raw);
    }
}

package io.fipsrelay.core.upstream;

import io.fipsrelay.core.metrics.UpstreamAddressState;
import io.fipsrelay.core.settings.HostAndPort;
import io.fipsrelay.core.settings.ProxyEndpoint;
import io.fipsrelay.core.settings.ProxySettings;
import io.fipsrelay.core.settings.RelaySettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every intake server's addresses and their health, shared read-mostly by all workers. DNS answers
 * arrive on the lookup threads and replace a server's entry as a whole; a request reads the entry
 * in force without a lock and without waiting (only a server never resolved yet waits for DNS).
 */
public final class UpstreamDirectory {

    /** A server's addresses, or why it has none. */
    public record Entry(List<AddressHealth> addresses, UpstreamFailure failure) {
    }

    private final HostResolver resolver;
    private final RelaySettings.Health health;
    private final Map<HostAndPort, Entry> entries = new ConcurrentHashMap<>();
    private final ProxySettings proxies;

    /**
     * @param proxies a server behind the egress proxy is not resolved (the proxy resolves the name it
     *                gets in CONNECT): its addresses are the proxy's, each with its own health record
     */
    public UpstreamDirectory(HostResolver resolver, RelaySettings.Health health, ProxySettings proxies) {
        this.resolver = resolver;
        this.health = health;
        this.proxies = proxies;
    }

    /** The name looked up for a server: its own, or the egress proxy's when it is reached through it. */
    private String lookupName(HostAndPort server) {
        return proxies.forHost(server.host()).map(ProxyEndpoint::host).orElse(server.host());
    }

    /** The entry in force, or null when the server has not been resolved yet. */
    Entry entry(HostAndPort server) {
        return entries.get(server);
    }

    /** Resolves a server (from the cache when fresh) and runs {@code then} once its entry is set. */
    void resolve(HostAndPort server, Runnable then) {
        apply(server, resolver.resolve(lookupName(server)), then);
    }

    private void apply(HostAndPort server, CompletableFuture<List<InetAddress>> answer, Runnable then) {
        answer.whenComplete((ips, err) -> {
            if (err != null) {
                if (!entries.containsKey(server) || entries.get(server).addresses().isEmpty()) {
                    entries.put(server, new Entry(List.of(), UpstreamFailure.of(err)));
                }
            } else {
                update(server, ips);
            }
            if (then != null) {
                then.run();
            }
        });
    }

    /** Makes the servers known so that DNS and health checks start before the first request. */
    public void watch(Collection<HostAndPort> servers) {
        servers.forEach(s -> resolve(s, null));
    }

    /** Resolves every known server again (the refresh timer); a failed lookup keeps the previous answer. */
    void refreshAll() {
        for (HostAndPort server : List.copyOf(entries.keySet())) {
            apply(server, resolver.refresh(lookupName(server)), null);
        }
    }

    private synchronized void update(HostAndPort server, List<InetAddress> ips) {
        Entry old = entries.get(server);
        List<AddressHealth> known = old == null ? List.of() : old.addresses();
        if (old != null && old.failure() == null && sameAddresses(known, ips)) {
            return;
        }
        List<AddressHealth> next = new ArrayList<>();
        ProxyEndpoint proxy = proxies.forHost(server.host()).orElse(null);
        int port = proxy == null ? server.port() : proxy.port();
        for (InetAddress ip : ips) {
            AddressHealth existing = known.stream().filter(h -> h.address().getAddress().equals(ip)).findFirst().orElse(null);
            next.add(existing != null ? existing
                    : new AddressHealth(server, new InetSocketAddress(ip, port), health.fall(), health.rise(), proxy));
        }
        known.stream().filter(h -> !next.contains(h)).forEach(AddressHealth::retire);
        entries.put(server, new Entry(List.copyOf(next), null));
    }

    private static boolean sameAddresses(List<AddressHealth> known, List<InetAddress> ips) {
        if (known.size() != ips.size()) {
            return false;
        }
        for (int i = 0; i < ips.size(); i++) {
            if (!known.get(i).address().getAddress().equals(ips.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Every known address, for health checks. */
    List<AddressHealth> allAddresses() {
        List<AddressHealth> all = new ArrayList<>();
        entries.values().forEach(e -> all.addAll(e.addresses()));
        return all;
    }

    public List<UpstreamAddressState> states() {
        return allAddresses().stream().map(AddressHealth::state).toList();
    }
}

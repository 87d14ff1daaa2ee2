package io.fipsrelay.core.upstream;

import io.fipsrelay.core.metrics.UpstreamAddressState;
import io.fipsrelay.core.settings.HostAndPort;
import io.fipsrelay.core.settings.ProxyEndpoint;
import io.fipsrelay.core.settings.ProxySettings;
import io.fipsrelay.core.settings.RelaySettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Intake addresses and their keep-alive TLS connections. A request goes to an UP address of its
 * servers with the fewest requests in flight (one with an idle connection, then the next in turn,
 * breaking ties), on the most recently used idle connection there or a new one.
 */
public final class UpstreamPool implements AutoCloseable {

    private final FipsTlsConnector connector;
    private final HostResolver resolver;
    private final RelaySettings.Upstream settings;
    private final long idleTimeoutNanos;
    private final Map<HostAndPort, List<AddressHealth>> addresses = new ConcurrentHashMap<>();
    private final Map<AddressHealth, Deque<UpstreamConnection>> idle = new ConcurrentHashMap<>();
    private final AtomicInteger turn = new AtomicInteger();
    private volatile boolean closed;
    private final ProxySettings proxies;

    public UpstreamPool(FipsTlsConnector connector, HostResolver resolver, RelaySettings.Upstream settings,
                        ProxySettings proxies) {
        this.proxies = proxies;
        this.connector = connector;
        this.resolver = resolver;
        this.settings = settings;
        this.idleTimeoutNanos = settings.idleTimeout().toNanos();
    }

    /**
     * A ready connection to one of the servers, avoiding the addresses already tried for this
     * request. Fails with 503 when no address is UP, 502 when the connection attempt fails.
     */
    public CompletableFuture<UpstreamConnection> acquire(List<HostAndPort> servers, Set<InetSocketAddress> exclude) {
        if (closed) {
            return CompletableFuture.failedFuture(new UpstreamFailure(503, "closed", "the relay is shutting down"));
        }
        List<CompletableFuture<List<AddressHealth>>> lookups = new ArrayList<>();
        for (HostAndPort server : servers) {
            lookups.add(healthOf(server));
        }
        return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new)).handle((ok, err) -> {
            List<AddressHealth> candidates = new ArrayList<>();
            UpstreamFailure dnsFailure = null;
            for (CompletableFuture<List<AddressHealth>> f : lookups) {
                if (f.isCompletedExceptionally()) {
                    dnsFailure = UpstreamFailure.of(f.handle((v, e) -> e).join());
                } else {
                    candidates.addAll(f.join());
                }
            }
            if (candidates.isEmpty()) {
                throw new java.util.concurrent.CompletionException(dnsFailure != null ? dnsFailure
                        : new UpstreamFailure(503, "no-server", "no address for " + servers));
            }
            return candidates;
        }).thenCompose(candidates -> pick(candidates, exclude, servers));
    }

    private CompletableFuture<UpstreamConnection> pick(List<AddressHealth> candidates, Set<InetSocketAddress> exclude,
                                                       List<HostAndPort> servers) {
        AddressHealth best = null;
        int bestLoad = Integer.MAX_VALUE;
        int n = candidates.size();
        int start = Math.floorMod(turn.getAndIncrement(), n);
        List<String> down = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            AddressHealth h = candidates.get((start + i) % n);
            if (exclude.contains(h.address())) {
                continue;
            }
            if (!h.isUp()) {
                down.add(h.describe() + " DOWN (" + h.state().lastError() + ")");
                continue;
            }
            // Fewest in flight wins; an idle connection counts as a little less load (no handshake needed).
            int load = h.outstanding().get() * 2 + (hasIdle(h) ? 0 : 1);
            if (load < bestLoad) {
                best = h;
                bestLoad = load;
            }
        }
        if (best == null) {
            if (!down.isEmpty()) {
                return CompletableFuture.failedFuture(new UpstreamFailure(503, "no-server",
                        "no healthy address for " + servers + ": " + String.join(", ", down)));
            }
            return CompletableFuture.failedFuture(new UpstreamFailure(502, "no-server",
                    "no other address of " + servers + " left to try"));
        }
        AddressHealth chosen = best;
        chosen.outstanding().incrementAndGet();
        UpstreamConnection pooled = takeIdle(chosen);
        if (pooled != null) {
            return CompletableFuture.completedFuture(pooled);
        }
        return connector.connect(chosen.server(), chosen.address()).whenComplete((c, err) -> {
            if (err != null) {
                chosen.outstanding().decrementAndGet();
                chosen.failure(UpstreamFailure.of(err).getMessage());
            } else {
                c.health(chosen);
                chosen.success();
            }
        });
    }

    private boolean hasIdle(AddressHealth h) {
        Deque<UpstreamConnection> deque = idle.get(h);
        if (deque == null) {
            return false;
        }
        synchronized (deque) {
            return !deque.isEmpty();
        }
    }

    private UpstreamConnection takeIdle(AddressHealth h) {
        Deque<UpstreamConnection> deque = idle.get(h);
        if (deque == null) {
            return null;
        }
        long now = System.nanoTime();
        while (true) {
            UpstreamConnection c;
            synchronized (deque) {
                c = deque.pollFirst();
            }
            if (c == null) {
                return null;
            }
            if (c.isOpen() && now - c.idleSinceNanos < idleTimeoutNanos) {
                return c;
            }
            c.close("idle");
        }
    }

    /**
     * The health records of a server's addresses, following DNS answers as they change. A server
     * behind the egress proxy is not resolved (the proxy resolves the name it gets in CONNECT): its
     * addresses are the proxy's, one health record per server and proxy address.
     */
    private CompletableFuture<List<AddressHealth>> healthOf(HostAndPort server) {
        ProxyEndpoint proxy = proxies.forHost(server.host()).orElse(null);
        int port = proxy == null ? server.port() : proxy.port();
        return resolver.resolve(proxy == null ? server.host() : proxy.host()).thenApply(ips -> {
            List<AddressHealth> known = addresses.get(server);
            if (known != null && sameAddresses(known, ips)) {
                return known;
            }
            return addresses.compute(server, (k, old) -> {
                List<AddressHealth> next = new ArrayList<>();
                for (InetAddress ip : ips) {
                    AddressHealth existing = old == null ? null : old.stream()
                            .filter(h -> h.address().getAddress().equals(ip)).findFirst().orElse(null);
                    next.add(existing != null ? existing
                            : new AddressHealth(server, new InetSocketAddress(ip, port),
                                    settings.health().fall(), settings.health().rise(), proxy));
                }
                if (old != null) {
                    old.stream().filter(h -> !next.contains(h)).forEach(this::forget);
                }
                return List.copyOf(next);
            });
        });
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

    private void forget(AddressHealth h) {
        Deque<UpstreamConnection> deque = idle.remove(h);
        if (deque != null) {
            synchronized (deque) {
                deque.forEach(c -> c.close("address no longer in DNS"));
                deque.clear();
            }
        }
    }

    /**
     * Returns a connection after an exchange: a clean one is kept for the next request; one that
     * failed on live traffic (reset, TLS error) counts as a failed check of its address.
     */
    public void release(UpstreamConnection c, boolean reusable) {
        c.detach();
        AddressHealth h = c.health();
        if (h != null) {
            h.outstanding().decrementAndGet();
            if (c.failure() != null) {
                h.failure(c.failure());
            }
        }
        if (!reusable || closed || !c.isOpen() || h == null) {
            c.close(reusable ? "pool closed" : "not reusable");
            return;
        }
        Deque<UpstreamConnection> deque = idle.computeIfAbsent(h, k -> new ArrayDeque<>());
        UpstreamConnection evicted = null;
        synchronized (deque) {
            c.idleSinceNanos = System.nanoTime();
            deque.addFirst(c);
            if (deque.size() > settings.maxIdlePerHost()) {
                evicted = deque.pollLast();
            }
        }
        if (evicted != null) {
            evicted.close("pool full");
        }
    }

    /** Makes the servers known so that DNS and health checks start before the first request. */
    public void watch(Collection<HostAndPort> servers) {
        servers.forEach(s -> healthOf(s).exceptionally(e -> List.of()));
    }

    /** Every known address, for health checks. */
    List<AddressHealth> allAddresses() {
        List<AddressHealth> all = new ArrayList<>();
        addresses.values().forEach(all::addAll);
        return all;
    }

    Set<HostAndPort> servers() {
        return addresses.keySet();
    }

    public List<UpstreamAddressState> states() {
        return allAddresses().stream().map(AddressHealth::state).toList();
    }

    /** Idle connections to a server, for status pages and tests. */
    public int idleCount(HostAndPort server) {
        int n = 0;
        for (Map.Entry<AddressHealth, Deque<UpstreamConnection>> e : idle.entrySet()) {
            if (e.getKey().server().equals(server)) {
                synchronized (e.getValue()) {
                    n += (int) e.getValue().stream().filter(UpstreamConnection::isOpen).count();
                }
            }
        }
        return n;
    }

    @Override
    public void close() {
        closed = true;
        for (Deque<UpstreamConnection> deque : idle.values()) {
            List<UpstreamConnection> all;
            synchronized (deque) {
                all = List.copyOf(deque);
                deque.clear();
            }
            all.forEach(c -> c.close("relay stopping"));
        }
    }
}

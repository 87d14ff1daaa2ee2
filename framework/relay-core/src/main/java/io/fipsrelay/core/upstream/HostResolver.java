package io.fipsrelay.core.upstream;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names to addresses: static {@code dns.hosts} entries first (exact, then "*.suffix"), then the
 * system resolver on its own threads, never on the I/O threads. Requests use the last answer;
 * {@link #refreshAll()} renews answers in the background and a failed lookup keeps the old one
 * (like HAProxy's resolvers with {@code hold valid}).
 */
public final class HostResolver {

    private static final Logger LOG = LoggerFactory.getLogger(HostResolver.class);

    private record Answer(List<InetAddress> addresses, long atNanos) {
    }

    private final Map<String, String> staticHosts;
    private final long refreshNanos;
    private final int maxAddresses;
    private final boolean preferIpv4;
    private final Executor executor;
    private final Map<String, Answer> cache = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<List<InetAddress>>> inFlight = new ConcurrentHashMap<>();
    private final Map<String, String> lastFailure = new ConcurrentHashMap<>();

    public HostResolver(Map<String, String> staticHosts, Duration refresh, int maxAddresses, boolean preferIpv4,
                        Executor executor) {
        this.staticHosts = Map.copyOf(staticHosts);
        this.refreshNanos = refresh.toNanos();
        this.maxAddresses = maxAddresses;
        this.preferIpv4 = preferIpv4;
        this.executor = executor;
    }

    /** The addresses of a name: the cached answer at once when there is one, else a lookup. */
    public CompletableFuture<List<InetAddress>> resolve(String host) {
        String fixed = staticEntry(host);
        try {
            if (fixed != null) {
                return CompletableFuture.completedFuture(List.of(InetAddress.getByName(fixed)));
            }
            if (host.matches("[0-9.]+") || host.indexOf(':') >= 0) {
                return CompletableFuture.completedFuture(List.of(InetAddress.getByName(host)));
            }
        } catch (UnknownHostException e) {
            return CompletableFuture.failedFuture(new UpstreamFailure(503, "dns", "bad address for " + host + ": " + e.getMessage()));
        }
        Answer cached = cache.get(host);
        if (cached != null) {
            if (System.nanoTime() - cached.atNanos > refreshNanos) {
                lookup(host);
            }
            return CompletableFuture.completedFuture(cached.addresses);
        }
        return lookup(host);
    }

    /** Looks a name up again now (static entries and address literals answer at once). */
    public CompletableFuture<List<InetAddress>> refresh(String host) {
        if (staticEntry(host) != null || host.matches("[0-9.]+") || host.indexOf(':') >= 0) {
            return resolve(host);
        }
        return lookup(host);
    }

    private CompletableFuture<List<InetAddress>> lookup(String host) {
        return inFlight.computeIfAbsent(host, h -> CompletableFuture.supplyAsync(() -> {
            try {
                List<InetAddress> all = new ArrayList<>(List.of(InetAddress.getAllByName(h)));
                if (preferIpv4) {
                    all.sort(Comparator.comparing(a -> a instanceof Inet6Address));
                }
                List<InetAddress> answer = List.copyOf(all.subList(0, Math.min(all.size(), maxAddresses)));
                Answer previous = cache.put(h, new Answer(answer, System.nanoTime()));
                if (lastFailure.remove(h) != null || previous != null && !previous.addresses.equals(answer)) {
                    LOG.info("{} resolves to {}", h, answer.stream().map(InetAddress::getHostAddress).toList());
                }
                return answer;
            } catch (UnknownHostException e) {
                Answer stale = cache.get(h);
                if (lastFailure.put(h, String.valueOf(e.getMessage())) == null) {
                    LOG.warn("cannot resolve {}: {}{}", h, e.getMessage(), stale != null ? " (keeping the previous answer)" : "");
                }
                if (stale != null) {
                    return stale.addresses;
                }
                throw new java.util.concurrent.CompletionException(
                        new UpstreamFailure(503, "dns", "cannot resolve " + h + ": " + e.getMessage()));
            }
        }, executor).whenComplete((ok, err) -> inFlight.remove(h)));
    }

    private String staticEntry(String host) {
        String exact = staticHosts.get(host);
        if (exact != null) {
            return exact;
        }
        for (int dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
            String wildcard = staticHosts.get("*" + host.substring(dot));
            if (wildcard != null) {
                return wildcard;
            }
        }
        return null;
    }
}

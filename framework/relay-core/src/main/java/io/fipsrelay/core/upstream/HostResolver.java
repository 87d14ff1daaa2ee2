package io.fipsrelay.core.upstream;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Names to addresses: static {@code dns.hosts} entries first (exact, then "*.suffix"), then the
 * system resolver, off the I/O threads, with answers reused for {@code dns.refresh}.
 */
public final class HostResolver {

    private record Answer(List<InetAddress> addresses, long expiresNanos) {
    }

    private final Map<String, String> staticHosts;
    private final long refreshNanos;
    private final Executor executor;
    private final Map<String, Answer> cache = new ConcurrentHashMap<>();

    public HostResolver(Map<String, String> staticHosts, Duration refresh, Executor executor) {
        this.staticHosts = Map.copyOf(staticHosts);
        this.refreshNanos = refresh.toNanos();
        this.executor = executor;
    }

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
            return CompletableFuture.failedFuture(new UpstreamFailure(502, "dns", "bad address for " + host + ": " + e.getMessage()));
        }
        Answer cached = cache.get(host);
        if (cached != null && cached.expiresNanos - System.nanoTime() > 0) {
            return CompletableFuture.completedFuture(cached.addresses);
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                List<InetAddress> all = new ArrayList<>(List.of(InetAddress.getAllByName(host)));
                // IPv4 first: IPv6 routes are the more often broken ones in restricted networks.
                all.sort((a, b) -> Boolean.compare(a instanceof java.net.Inet6Address, b instanceof java.net.Inet6Address));
                List<InetAddress> answer = List.copyOf(all);
                cache.put(host, new Answer(answer, System.nanoTime() + refreshNanos));
                return answer;
            } catch (UnknownHostException e) {
                if (cached != null) {
                    return cached.addresses; // a stale answer beats none while DNS is down
                }
                throw new java.util.concurrent.CompletionException(
                        new UpstreamFailure(503, "dns", "cannot resolve " + host + ": " + e.getMessage()));
            }
        }, executor);
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

package io.fipsrelay.core.upstream;

import io.fipsrelay.core.settings.HostAndPort;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keep-alive TLS connections per intake server. A request takes the most recently used idle
 * connection (its TLS session and TCP window are warm) or opens a new one on the next address of
 * the server, round robin.
 */
public final class UpstreamPool implements AutoCloseable {

    private final FipsTlsConnector connector;
    private final HostResolver resolver;
    private final int maxIdlePerServer;
    private final long idleTimeoutNanos;
    private final Map<HostAndPort, Deque<UpstreamConnection>> idle = new ConcurrentHashMap<>();
    private final Map<HostAndPort, AtomicInteger> nextAddress = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public UpstreamPool(FipsTlsConnector connector, HostResolver resolver, int maxIdlePerServer, Duration idleTimeout) {
        this.connector = connector;
        this.resolver = resolver;
        this.maxIdlePerServer = maxIdlePerServer;
        this.idleTimeoutNanos = idleTimeout.toNanos();
    }

    /** A ready connection to the server: pooled if one is alive, else a new one. */
    public CompletableFuture<UpstreamConnection> acquire(HostAndPort server) {
        if (closed) {
            return CompletableFuture.failedFuture(new UpstreamFailure(503, "closed", "the relay is shutting down"));
        }
        Deque<UpstreamConnection> deque = idle.get(server);
        if (deque != null) {
            long now = System.nanoTime();
            while (true) {
                UpstreamConnection c;
                synchronized (deque) {
                    c = deque.pollFirst();
                }
                if (c == null) {
                    break;
                }
                if (c.isOpen() && now - c.idleSinceNanos < idleTimeoutNanos) {
                    return CompletableFuture.completedFuture(c);
                }
                c.close("idle");
            }
        }
        return resolver.resolve(server.host()).thenCompose(addresses -> {
            if (addresses.isEmpty()) {
                return CompletableFuture.failedFuture(new UpstreamFailure(503, "dns", "no address for " + server.host()));
            }
            int i = Math.floorMod(nextAddress.computeIfAbsent(server, k -> new AtomicInteger()).getAndIncrement(), addresses.size());
            InetAddress address = addresses.get(i);
            return connector.connect(server, new InetSocketAddress(address, server.port()));
        });
    }

    /** Returns a connection after an exchange; only a clean, reusable one is kept. */
    public void release(UpstreamConnection c, boolean reusable) {
        c.detach();
        if (!reusable || closed || !c.isOpen()) {
            c.close(reusable ? "pool closed" : "not reusable");
            return;
        }
        Deque<UpstreamConnection> deque = idle.computeIfAbsent(c.server(), k -> new ArrayDeque<>());
        UpstreamConnection evicted = null;
        synchronized (deque) {
            c.idleSinceNanos = System.nanoTime();
            deque.addFirst(c);
            if (deque.size() > maxIdlePerServer) {
                evicted = deque.pollLast();
            }
        }
        if (evicted != null) {
            evicted.close("pool full");
        }
    }

    /** Idle connections per server, for status pages and tests. */
    public int idleCount(HostAndPort server) {
        Deque<UpstreamConnection> deque = idle.get(server);
        if (deque == null) {
            return 0;
        }
        synchronized (deque) {
            return (int) deque.stream().filter(UpstreamConnection::isOpen).count();
        }
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

package io.fipsrelay.core.upstream;

import io.fipsrelay.core.relay.RelayWorker;
import io.fipsrelay.core.settings.HostAndPort;
import io.fipsrelay.core.settings.RelaySettings;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One worker's keep-alive TLS connections to the intakes (Envoy's per-worker connection pool,
 * HAProxy's per-thread idle connections). Used by that worker's thread only, so nothing is locked:
 * a request goes to an UP address of its servers with the fewest of this worker's requests in
 * flight (one with an idle connection first, the next in turn breaking ties), on the most recently
 * used idle connection there, or on a new connection opened on this worker.
 */
public final class WorkerUpstreamPool {

    /** This worker's share of one address. */
    private static final class Slot {
        final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();
        int inFlight;
    }

    private final RelayWorker worker;
    private final UpstreamDirectory directory;
    private final FipsTlsConnector connector;
    private final long idleTimeoutNanos;
    private final int maxIdle;
    private final Map<AddressHealth, Slot> slots = new HashMap<>();
    private int turn;
    private boolean closed;

    public WorkerUpstreamPool(RelayWorker worker, UpstreamDirectory directory, FipsTlsConnector connector,
                              RelaySettings.Upstream settings) {
        this.worker = worker;
        this.directory = directory;
        this.connector = connector;
        this.idleTimeoutNanos = settings.idleTimeout().toNanos();
        this.maxIdle = settings.maxIdlePerHost();
    }

    /**
     * Finds a ready connection to one of the servers, avoiding the addresses already tried for this
     * request, and answers the requester: at once from the pool, after a handshake for a new
     * connection, after DNS for a server never resolved. 503 when no address is UP, 502 when the
     * connection attempt fails.
     */
    public void acquire(List<HostAndPort> servers, Set<InetSocketAddress> exclude, UpstreamRequester requester) {
        if (closed) {
            requester.upstreamFailed(new UpstreamFailure(503, "closed", "the relay is shutting down"));
            return;
        }
        List<AddressHealth> candidates = new ArrayList<>(4);
        UpstreamFailure dnsFailure = null;
        for (HostAndPort server : servers) {
            UpstreamDirectory.Entry e = directory.entry(server);
            if (e == null) {
                // Never resolved: ask DNS, then try again on this worker.
                directory.resolve(server, () -> worker.execute(() -> acquire(servers, exclude, requester)));
                return;
            }
            if (e.failure() != null) {
                dnsFailure = e.failure();
            }
            candidates.addAll(e.addresses());
        }
        if (candidates.isEmpty()) {
            requester.upstreamFailed(dnsFailure != null ? dnsFailure
                    : new UpstreamFailure(503, "no-server", "no address for " + servers));
            return;
        }
        AddressHealth best = null;
        Slot bestSlot = null;
        int bestLoad = Integer.MAX_VALUE;
        int n = candidates.size();
        int start = Math.floorMod(turn++, n);
        List<String> down = null;
        for (int i = 0; i < n; i++) {
            AddressHealth h = candidates.get((start + i) % n);
            if (exclude.contains(h.address())) {
                continue;
            }
            if (!h.isUp()) {
                if (down == null) {
                    down = new ArrayList<>();
                }
                down.add(h.describe() + " DOWN (" + h.state().lastError() + ")");
                continue;
            }
            Slot slot = slots.computeIfAbsent(h, k -> new Slot());
            // Fewest in flight wins; an idle connection counts as a little less load (no handshake needed).
            int load = slot.inFlight * 2 + (slot.idle.isEmpty() ? 1 : 0);
            if (load < bestLoad) {
                best = h;
                bestSlot = slot;
                bestLoad = load;
            }
        }
        if (best == null) {
            requester.upstreamFailed(down != null
                    ? new UpstreamFailure(503, "no-server", "no healthy address for " + servers + ": " + String.join(", ", down))
                    : new UpstreamFailure(502, "no-server", "no other address of " + servers + " left to try"));
            return;
        }
        bestSlot.inFlight++;
        UpstreamConnection pooled = takeIdle(best, bestSlot);
        if (pooled != null) {
            requester.upstreamReady(pooled);
            return;
        }
        AddressHealth chosen = best;
        Slot chosenSlot = bestSlot;
        connector.connect(chosen.server(), chosen.address(), worker, requester.product(), new ConnectCallback() {
            @Override
            public void connected(UpstreamConnection c) {
                c.health(chosen);
                chosen.success();
                requester.upstreamReady(c);
            }

            @Override
            public void connectFailed(UpstreamFailure failure) {
                chosenSlot.inFlight--;
                chosen.failure(failure.getMessage());
                requester.upstreamFailed(failure);
            }
        });
    }

    private UpstreamConnection takeIdle(AddressHealth h, Slot slot) {
        long now = System.nanoTime();
        UpstreamConnection c;
        while ((c = slot.idle.pollFirst()) != null) {
            if (c.isOpen() && now - c.idleSinceNanos < idleTimeoutNanos && c.fallsAtOpen == h.falls() && !h.retired()) {
                return c;
            }
            c.close(h.retired() ? "address no longer in DNS" : "idle");
        }
        return null;
    }

    /**
     * Returns a connection after an exchange: a clean one is kept for the next request; one that
     * failed on live traffic (reset, TLS error) counts as a failed check of its address.
     */
    public void release(UpstreamConnection c, boolean reusable) {
        c.detach();
        AddressHealth h = c.health();
        Slot slot = h == null ? null : slots.get(h);
        if (slot != null) {
            slot.inFlight--;
        }
        if (h != null && c.failure() != null) {
            h.failure(c.failure());
        }
        if (!reusable || closed || !c.isOpen() || slot == null) {
            c.close(reusable ? "pool closed" : "not reusable");
            return;
        }
        c.idleSinceNanos = System.nanoTime();
        slot.idle.addFirst(c);
        if (slot.idle.size() > maxIdle) {
            slot.idle.pollLast().close("pool full");
        }
    }

    /** Closes the idle connections and takes no new requests; call on the worker's thread. */
    public void close() {
        closed = true;
        for (Slot slot : slots.values()) {
            UpstreamConnection c;
            while ((c = slot.idle.pollFirst()) != null) {
                c.close("relay stopping");
            }
        }
    }
}

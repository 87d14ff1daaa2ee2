package io.fipsrelay.core.upstream;

import io.fipsrelay.core.settings.RelaySettings;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Active health checks of every intake address, every {@code upstream.health.interval}.
 *
 * <p>Cheap by design: an address that carried a successful live connection during the last
 * interval is not probed (the traffic already proved it); otherwise a TCP connect, and every
 * {@code tls-every}-th check a full FIPS TLS handshake (certificate, host name and suites
 * verified). A full ECDHE handshake costs tens of milliseconds of CPU in BC-FIPS; fifteen products
 * probed that way every 10 s would cost a good part of a core.
 */
public final class HealthChecker implements AutoCloseable {

    private final UpstreamDirectory directory;
    private final FipsTlsConnector connector;
    private final RelaySettings settings;
    private final ExecutorService probes;
    private final ScheduledFuture<?> checks;
    private final ScheduledFuture<?> dns;
    private final AtomicBoolean running = new AtomicBoolean();

    public HealthChecker(UpstreamDirectory directory, FipsTlsConnector connector, RelaySettings settings,
                         ScheduledExecutorService timer, ExecutorService probes) {
        this.directory = directory;
        this.connector = connector;
        this.settings = settings;
        this.probes = probes;
        long interval = settings.upstream().health().interval().toMillis();
        this.checks = timer.scheduleWithFixedDelay(this::checkAll, interval, interval, TimeUnit.MILLISECONDS);
        long refresh = settings.dns().refresh().toMillis();
        this.dns = timer.scheduleWithFixedDelay(directory::refreshAll, refresh, refresh, TimeUnit.MILLISECONDS);
    }

    /** One round over every known address (skipped if the previous round is still running). */
    void checkAll() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        try {
            long intervalNanos = settings.upstream().health().interval().toNanos();
            // A TCP connect says nothing about the host name: one per address serves every server on it.
            java.util.Map<java.net.InetSocketAddress, java.util.List<AddressHealth>> tcp = new java.util.LinkedHashMap<>();
            for (AddressHealth h : directory.allAddresses()) {
                boolean tls = h.nextCheckIsTls(settings.upstream().health().tlsEvery());
                if (System.nanoTime() - h.lastSuccessNanos() < intervalNanos && h.isUp()) {
                    continue; // live traffic proved it within the interval
                }
                if (tls || !h.isUp()) {
                    probes.execute(() -> tlsCheck(h));
                } else {
                    tcp.computeIfAbsent(h.address(), a -> new java.util.ArrayList<>()).add(h);
                }
            }
            tcp.values().forEach(group -> probes.execute(() -> tcpCheck(group)));
        } finally {
            running.set(false);
        }
    }

    private void tcpCheck(java.util.List<AddressHealth> sameAddress) {
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(sameAddress.get(0).address(), (int) settings.upstream().connectTimeout().toMillis());
            for (AddressHealth h : sameAddress) {
                h.checked(elapsedMillis(start));
                h.success();
            }
        } catch (IOException e) {
            for (AddressHealth h : sameAddress) {
                h.checked(elapsedMillis(start));
                h.failure("health check: TCP connect to " + h.describe() + " failed: " + UpstreamFailure.describe(e));
            }
        }
    }

    /** A DOWN address must prove the whole path again (TLS included) before it gets traffic. */
    private void tlsCheck(AddressHealth h) {
        long start = System.nanoTime();
        try {
            UpstreamConnection c = connector.connect(h.server(), h.address())
                    .get(settings.tls().handshakeTimeout().plus(settings.upstream().connectTimeout()).toMillis() + 1000,
                            TimeUnit.MILLISECONDS);
            h.checked(elapsedMillis(start));
            c.closeFromElsewhere("health check done");
            h.success();
        } catch (Exception e) {
            h.checked(elapsedMillis(start));
            h.failure("health check: " + UpstreamFailure.of(e instanceof java.util.concurrent.ExecutionException
                    ? e.getCause() : e).getMessage());
        }
    }

    private static long elapsedMillis(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
    }

    @Override
    public void close() {
        checks.cancel(false);
        dns.cancel(false);
    }
}

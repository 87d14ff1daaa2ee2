package io.fipsrelay.server.status;

import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RawResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Agent-like load on some product ports: one keep-alive connection per product posting bodies of
 * the given size, the pause between requests swinging around {@code pause} over about 20 s (each
 * product out of phase, so a chart of it has a shape), until closed or until its time is up (it
 * never outlives a test by more than {@code limit}). The intake's request log is cleared as it
 * goes, to keep the test JVM's heap flat.
 */
final class AgentTraffic implements AutoCloseable {

    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean stop;

    /** @param bodyBytes product id to body size */
    static AgentTraffic start(RelayWithStatus relay, Map<String, Integer> bodyBytes, Duration pause, Duration limit) {
        AgentTraffic traffic = new AgentTraffic();
        long deadline = System.nanoTime() + limit.toNanos();
        AtomicLong phase = new AtomicLong();
        bodyBytes.forEach((product, size) -> {
            double offset = phase.getAndIncrement() * 2.1;
            Thread t = new Thread(() -> traffic.post(relay, product, size, pause, offset, deadline), "agent-" + product);
            t.setDaemon(true);
            traffic.threads.add(t);
            t.start();
        });
        return traffic;
    }

    private void post(RelayWithStatus relay, String product, int size, Duration pause, double phase, long deadline) {
        long start = System.nanoTime();
        byte[] body = new byte[size];
        new Random(size).nextBytes(body);
        RawHttpClient client = null;
        while (!stop && System.nanoTime() < deadline) {
            try {
                if (client == null) {
                    client = RawHttpClient.connect(relay.port(product));
                }
                client.post("/api/v2/series", Map.of("DD-API-KEY", "0123456789abcdef", "Content-Type", "application/json"), body);
                RawResponse response = client.readResponse();
                answered.incrementAndGet();
                if ("close".equalsIgnoreCase(response.header("Connection"))) {
                    client.close();
                    client = null;
                }
                if (answered.get() % 200 == 0) {
                    relay.intake.reset();
                }
                double swing = 1 + 0.75 * Math.sin((System.nanoTime() - start) / 1e9 * 2 * Math.PI / 20 + phase);
                Thread.sleep(Math.max(1, Math.round(pause.toMillis() * swing)));
            } catch (InterruptedException e) {
                break;
            } catch (Exception e) {
                failed.incrementAndGet();
                closeQuietly(client);
                client = null;
            }
        }
        closeQuietly(client);
    }

    long answered() {
        return answered.get();
    }

    long failed() {
        return failed.get();
    }

    private static void closeQuietly(RawHttpClient client) {
        if (client != null) {
            try {
                client.close();
            } catch (Exception ignored) {
                // Closing a broken test connection: nothing to report.
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        for (Thread t : threads) {
            t.join(10_000);
        }
    }
}

package io.fipsrelay.server.status;

import io.fipsrelay.testkit.RawHttpClient;
import io.fipsrelay.testkit.RecordingIntake;
import io.fipsrelay.testkit.RawResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;

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
        return start(relay::port, relay.intake, bodyBytes, pause, limit);
    }

    /**
     * @param ports product id to the port it listens on
     * @param intake the intake behind the relay, whose request log is cleared as the traffic goes
     */
    static AgentTraffic start(ToIntFunction<String> ports, RecordingIntake intake, Map<String, Integer> bodyBytes,
                              Duration pause, Duration limit) {
        AgentTraffic traffic = new AgentTraffic();
        long deadline = System.nanoTime() + limit.toNanos();
        AtomicLong phase = new AtomicLong();
        bodyBytes.forEach((product, size) -> {
            double offset = phase.getAndIncrement() * 2.1;
            int port = ports.applyAsInt(product);
            Thread t = new Thread(() -> traffic.post(port, intake, size, pause, offset, deadline), "agent-" + product);
            t.setDaemon(true);
            traffic.threads.add(t);
            t.start();
        });
        return traffic;
    }

    private void post(int port, RecordingIntake intake, int size, Duration pause, double phase, long deadline) {
        long start = System.nanoTime();
        byte[] body = new byte[size];
        new Random(size).nextBytes(body);
        RawHttpClient client = null;
        while (!stop && System.nanoTime() < deadline) {
            try {
                if (client == null) {
                    client = RawHttpClient.connect(port);
                }
                client.post("/api/v2/series", Map.of("DD-API-KEY", "0123456789abcdef", "Content-Type", "application/json"), body);
                RawResponse response = client.readResponse();
                answered.incrementAndGet();
                if ("close".equalsIgnoreCase(response.header("Connection"))) {
                    client.close();
                    client = null;
                }
                if (answered.get() % 200 == 0) {
                    intake.reset();
                }
                double swing = 1 + 0.75 * Math.sin((System.nanoTime() - start) / 1e9 * 2 * Math.PI / 20 + phase);
                Thread.sleep(Math.max(1, Math.round(pause.toMillis() * swing)));
            } catch (InterruptedException e) {
                break;
            } catch (Exception e) {
                failed.incrementAndGet();
                closeQuietly(client);
                client = null;
                // A port that stopped listening (its plugin removed) refuses at once: no busy loop.
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    break;
                }
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

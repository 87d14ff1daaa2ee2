package io.fipsrelay.distribution;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * bin/fips-relay started as its own process, as an operator starts it: the launcher's JVM flags,
 * the production provider order, logs on stderr. Output is kept for assertions and echoed to the
 * test's stderr with a prefix.
 */
final class RelayProcess implements AutoCloseable {

    /** Variables of the test's environment the relay would read as configuration. */
    private static final List<String> RELAY_VARIABLES = List.of("DD_SITE", "DD_FIPS_LOCAL_ADDRESS", "DD_FIPS_PORT_RANGE_START",
            "FIPS_RELAY_JVM_OPTS", "FIPS_RELAY_LOG_LEVEL");

    private final Process process;
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final Thread outReader;
    private final Thread errReader;

    private RelayProcess(Process process, String label) {
        this.process = process;
        this.outReader = pump(process.getInputStream(), stdout, label + " out");
        this.errReader = pump(process.getErrorStream(), stderr, label);
    }

    /** Starts {@code bin/fips-relay <args>}. */
    static RelayProcess start(Map<String, String> environment, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Distribution.launcher().toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        RELAY_VARIABLES.forEach(builder.environment()::remove);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().putAll(environment);
        try {
            return new RelayProcess(builder.start(), "relay " + args[0]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Runs a one-shot command (plugins, agent-config, check-config) to its end. */
    static Finished run(String... args) {
        try (RelayProcess p = start(Map.of(), args)) {
            if (!p.process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("bin/fips-relay " + String.join(" ", args) + " did not finish within 60 s");
            }
            p.outReader.join(5_000);
            p.errReader.join(5_000);
            return new Finished(p.process.exitValue(), String.join("\n", p.stdout), String.join("\n", p.stderr));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    record Finished(int exit, String out, String err) {
    }

    /** Waits for a stderr (log) line; fails with the output so far if the process ends or time runs out. */
    /** How many log lines so far match. */
    int countLog(Predicate<String> line) {
        return (int) stderr.stream().filter(line).count();
    }

    long pid() {
        return process.pid();
    }

    String awaitLog(Predicate<String> line, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String l : stderr) {
                if (line.test(l)) {
                    return l;
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError("relay exited with " + process.exitValue() + ":\n" + String.join("\n", stderr));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("no such log line within " + timeout + ":\n" + String.join("\n", stderr));
    }

    List<String> log() {
        return List.copyOf(stderr);
    }

    /** SIGTERM, as systemd stops it; forcibly if it has not ended within 15 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static Thread pump(InputStream in, List<String> into, String label) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    into.add(line);
                    System.err.println("[" + label + "] " + line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, label + "-reader");
        t.setDaemon(true);
        t.start();
        return t;
    }
}

package io.fipsrelay.distribution;

import io.fipsrelay.testkit.FreePorts;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The assembled relay started through bin/fips-relay with a generated test configuration. */
final class ConfiguredRelay implements AutoCloseable {

    final Process process;
    final Path log;
    final int portRangeStart;

    private ConfiguredRelay(Process process, Path log, int portRangeStart) {
        this.process = process;
        this.log = log;
        this.portRangeStart = portRangeStart;
    }

    static Path dist() {
        String dist = System.getProperty("fips-relay.dist");
        if (dist == null) {
            throw new IllegalStateException("system property fips-relay.dist is not set (run through mvn verify)");
        }
        return Path.of(dist);
    }

    /**
     * Starts the relay with a config that trusts {@code caFile}, sends every *.ddog-gov.com name to
     * 127.0.0.1:{@code intakePort}, listens on a free port range, plus {@code extraHocon}; waits
     * until the given product port accepts.
     */
    static ConfiguredRelay start(Path workDir, Path caFile, int intakePort, String extraHocon, int waitForOffset)
            throws Exception {
        int base = FreePorts.pickRange(16);
        Path conf = workDir.resolve("fips-relay.conf");
        Files.writeString(conf, "fips-relay {\n"
                + "  listen.port-range-start = " + base + "\n"
                + "  tls.ca-file = \"" + caFile.toAbsolutePath() + "\"\n"
                + "  upstream.port = " + intakePort + "\n"
                + "  dns.hosts { \"*.ddog-gov.com\" = \"127.0.0.1\" }\n"
                + "}\n" + extraHocon);
        Path log = workDir.resolve("relay.log");
        List<String> cmd = new ArrayList<>(List.of(dist().resolve("bin/fips-relay").toString(), "run", "--config", conf.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Process p = pb.start();
        ConfiguredRelay relay = new ConfiguredRelay(p, log, base);
        relay.awaitPort(base + waitForOffset, Duration.ofSeconds(30));
        return relay;
    }

    void awaitPort(int port, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("relay exited with " + process.exitValue() + ":\n" + output());
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("port " + port + " not accepting within " + timeout + ":\n" + output());
    }

    String output() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** SIGTERM, as systemd and container runtimes send it. */
    void terminate() {
        process.destroy();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}

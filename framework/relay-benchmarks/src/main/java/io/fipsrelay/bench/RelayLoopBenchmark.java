package io.fipsrelay.bench;

import com.codahale.metrics.MetricRegistry;
import com.typesafe.config.ConfigFactory;
import io.fipsrelay.api.Product;
import io.fipsrelay.api.Route;
import io.fipsrelay.core.fips.FipsBootstrap;
import io.fipsrelay.core.metrics.RelayMetrics;
import io.fipsrelay.core.relay.RelayEngine;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.settings.SettingsLoader;
import io.fipsrelay.core.tls.FipsTlsContext;
import io.fipsrelay.testkit.FreePorts;
import io.fipsrelay.testkit.KeyType;
import io.fipsrelay.testkit.ServerIdentity;
import io.fipsrelay.testkit.TestPki;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole relay loop in one JVM: agent-like clients POST bodies over keep-alive plain HTTP to a
 * {@link RelayEngine} (the metrics product), which relays them over BCJSSE/BCFIPS TLS to a
 * loopback intake and streams the 202 back. One operation is one request and its answer on a
 * client's own keep-alive connection; JMH threads are concurrent agent connections.
 *
 * <p>Everything shares the machine's cores: the client threads (cheap: plain sockets), the relay's
 * MINA I/O threads (parsing + BCJSSE encryption: the part being measured) and the intake (TLS
 * decryption: by default BCJSSE/BCFIPS with the native AES-GCM, the cheapest intake here; the JDK's
 * SunJSSE on this JDK 17 spends about twice the relay's CPU in its Java GHASH). So requests/s here
 * are a lower bound of what the relay does alone; {@link CpuCostProfiler} reports the CPU of the
 * whole JVM ({@code cpu.*}) and of the relay's threads alone ({@code cpu.relay.*}). The end-to-end
 * comparison with HAProxy runs the relay as its own process (../shared/bench/).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Threads(4)
@Fork(value = 1, jvmArgsAppend = {"-Dorg.bouncycastle.fips.approved_only=true", "-Xms1g", "-Xmx1g"})
public class RelayLoopBenchmark {

    /** The same declaration as the metrics plugin. */
    static final Product METRICS = Product.of("metrics", 1, "metrics.agent")
            .withRoute(Route.exact("/api/v1/validate", "api"))
            .withRoute(Route.pathAndBelow("/support/flare", "flare"));

    /** Upstream protocol the relay offers (tls.protocols = [this]), with the default suites. */
    @Param({"TLSv1.2", "TLSv1.3"})
    public String protocol;

    /** Request body size: 256 KiB is the agent workload of the harness; try 2048 for the small one. */
    @Param({"262144"})
    public int bodyBytes;

    /** TLS stack of the loopback intake: "BCJSSE" (FIPS, native AES-GCM) or "SunJSSE" (the JDK's). */
    @Param({"BCJSSE"})
    public String intakeTls;

    private LoopbackIntake intake;
    private RelayEngine engine;
    private Path dir;
    int relayPort;
    byte[] body;

    /** Request body bytes relayed per second, next to the requests per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public long bytes;

        @Setup(Level.Iteration)
        public void clear() {
            bytes = 0;
        }
    }

    /** One agent connection: a plain keep-alive socket to the relay's metrics port. */
    @State(Scope.Thread)
    public static class Agent {
        private Socket socket;
        private OutputStream out;
        private InputStream in;
        private byte[] head;

        @Setup(Level.Trial)
        public void connect(RelayLoopBenchmark relay) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), relay.relayPort);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            head = ("POST /api/v2/series HTTP/1.1\r\n"
                    + "Host: localhost:" + relay.relayPort + "\r\n"
                    + "User-Agent: datadog-agent/7.60.0\r\n"
                    + "DD-API-KEY: 0123456789abcdef0123456789abcdef\r\n"
                    + "Content-Type: application/x-protobuf\r\n"
                    + "Content-Encoding: zstd\r\n"
                    + "DD-Agent-Version: 7.60.0\r\n"
                    + "Content-Length: " + relay.body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            socket.close();
        }

        int post(byte[] body) throws IOException {
            out.write(head);
            out.write(body);
            out.flush();
            return readAnswer();
        }

        private int readAnswer() throws IOException {
            String statusLine = null;
            long length = 0;
            StringBuilder line = new StringBuilder(128);
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("relay closed the connection");
                }
                if (b != '\n') {
                    if (b != '\r') {
                        line.append((char) b);
                    }
                    continue;
                }
                if (line.length() == 0) {
                    break;
                }
                String text = line.toString();
                line.setLength(0);
                if (statusLine == null) {
                    statusLine = text;
                } else if (text.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Long.parseLong(text.substring(15).trim());
                }
            }
            for (long i = 0; i < length; i++) {
                if (in.read() < 0) {
                    throw new EOFException("answer body cut off");
                }
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            if (status != 202) {
                throw new IllegalStateException("relay answered " + statusLine);
            }
            return status;
        }
    }

    @Setup(Level.Trial)
    public void start() throws Exception {
        dir = Files.createTempDirectory("fips-relay-bench");
        Path ca = dir.resolve("ca.pem");
        String[] names = {"*.agent.ddog-gov.com", "*.ddog-gov.com"};
        if (intakeTls.equals("SunJSSE")) {
            // A SunJSSE server in this JVM needs the JDK providers first; the relay names BCFIPS/BCJSSE either way.
            FipsBootstrap.install(FipsBootstrap.ProviderOrder.APPENDED);
            TestPki pki = TestPki.create("fips-relay benchmark CA");
            ServerIdentity identity = pki.issue(KeyType.EC_P256, names);
            intake = new LoopbackIntake(identity.sslContext());
            pki.writeCaPem(ca);
        } else if (intakeTls.equals("BCJSSE")) {
            FipsBootstrap.install(FipsBootstrap.ProviderOrder.PREFERRED);
            FipsServerPki pki = FipsServerPki.create(names);
            intake = new LoopbackIntake(pki.serverContext());
            pki.writeCaPem(ca);
        } else {
            throw new IllegalArgumentException("intakeTls must be BCJSSE or SunJSSE: " + intakeTls);
        }
        int base = FreePorts.pickRange(4);
        String hocon = "fips-relay {\n"
                + "  listen.port-range-start = " + base + "\n"
                + "  tls.ca-file = \"" + ca.toAbsolutePath() + "\"\n"
                + "  tls.protocols = [\"" + protocol + "\"]\n"
                + "  upstream.port = " + intake.port() + "\n"
                + "  dns.hosts { \"*.ddog-gov.com\" = \"127.0.0.1\" }\n"
                + "}\n";
        RelaySettings settings = SettingsLoader.withCoreDefaults().environment(Map.of())
                .addProducts(List.of(METRICS), ConfigFactory.empty())
                .load(SettingsLoader.parseString(hocon));
        engine = new RelayEngine(settings, FipsTlsContext.create(settings.tls()), new RelayMetrics(new MetricRegistry()));
        engine.bindAll(settings.enabledProducts());
        relayPort = settings.product("metrics").orElseThrow().port();
        body = new byte[bodyBytes];
        new Random(11).nextBytes(body);
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        System.err.println("[bench] intake received " + intake.requests() + " requests, "
                + intake.bodyBytes() / (1024 * 1024) + " MiB of bodies, on " + intake.connections() + " TLS connections");
        CpuCostProfiler.relayStopping();
        engine.close();
        intake.close();
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Benchmark
    public int post(Agent agent, Bytes counter) throws IOException {
        int status = agent.post(body);
        counter.bytes += body.length;
        return status;
    }
}

package io.fipsrelay.bench;

import io.fipsrelay.core.fips.FipsBootstrap;
import io.fipsrelay.core.fips.FipsReport;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.tls.FipsTlsContext;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * BCJSSE record protection in FIPS mode, one core: a client engine made exactly as the relay makes
 * its upstream engines ({@link FipsTlsContext#newClientEngine}) and a BCJSSE server engine with a
 * BCFIPS-generated P-256 identity in a BCFKS keystore. The handshake runs once in setup; then each
 * operation encrypts one application buffer ({@code wrap}) or encrypts it and decrypts it on the
 * peer ({@code wrapUnwrap}). The {@code bytes} counter reports application bytes per second; run
 * with {@code -prof io.fipsrelay.bench.CpuCostProfiler} for bytes per CPU-second.
 *
 * <p>This class runs with bc-fips's native library (variant picked by the module's CPU probe);
 * {@link TlsRecordJavaBenchmark} runs the same benchmarks with {@code cpu_variant=java}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Dorg.bouncycastle.fips.approved_only=true", "-Xms512m", "-Xmx512m"})
public class TlsRecordBenchmark {

    static final String SERVER_NAME = "bench.fips-relay.test";

    /** The suite; the protocol follows from it (TLS_AES_* suites exist only in TLS 1.3). */
    @Param({
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384"})
    public String suite;

    /** Application bytes per operation; 16384 fills one maximum-size TLS record, more take several. */
    @Param({"16384"})
    public int appBytes;

    private SSLEngine client;
    private SSLEngine server;
    private ByteBuffer app;
    private ByteBuffer net;
    private ByteBuffer peerApp;

    /** Application bytes encrypted per second, next to the operations per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public long bytes;

        @Setup(Level.Iteration)
        public void clear() {
            bytes = 0;
        }
    }

    static String protocolOf(String suite) {
        return suite.startsWith("TLS_AES_") ? "TLSv1.3" : "TLSv1.2";
    }

    @Setup
    public void setup() throws Exception {
        FipsReport report = FipsBootstrap.install(FipsBootstrap.ProviderOrder.PREFERRED);
        String protocol = protocolOf(suite);
        FipsServerPki pki = FipsServerPki.create(SERVER_NAME);
        Path dir = Files.createTempDirectory("fips-relay-bench");
        Path ca = pki.writeCaPem(dir.resolve("ca.pem"));
        RelaySettings.Tls tls = new RelaySettings.Tls(List.of(protocol), List.of(suite),
                List.of("secp256r1", "secp384r1"), ca.toString(), ca, Duration.ofSeconds(10));
        client = FipsTlsContext.create(tls).newClientEngine(SERVER_NAME, 443);
        server = pki.serverContext().createSSLEngine();
        server.setUseClientMode(false);
        server.setEnabledProtocols(new String[] {protocol});
        server.setEnabledCipherSuites(new String[] {suite});
        handshake(client, server);
        Files.delete(ca);
        Files.delete(dir);
        String negotiated = client.getSession().getProtocol() + " " + client.getSession().getCipherSuite();
        if (!negotiated.equals(protocol + " " + suite)) {
            throw new IllegalStateException("negotiated " + negotiated + " instead of " + protocol + " " + suite);
        }
        System.err.println("[bench] " + negotiated + ", bc-fips native variant " + report.nativeVariant()
                + ", approved-only " + report.approvedOnly());
        byte[] payload = new byte[appBytes];
        new Random(7).nextBytes(payload);
        app = ByteBuffer.wrap(payload);
        net = ByteBuffer.allocate(client.getSession().getPacketBufferSize());
        peerApp = ByteBuffer.allocate(server.getSession().getApplicationBufferSize());
    }

    /**
     * Encrypts one application buffer into TLS records, one wrap call per record as the relay's
     * TlsEngineDriver does (BCJSSE puts at most one record, 16 KiB of plaintext, in each call).
     */
    @Benchmark
    public int wrap(Bytes counter) throws SSLException {
        app.clear();
        int produced = 0;
        while (app.hasRemaining()) {
            net.clear();
            SSLEngineResult r = client.wrap(app, net);
            if (r.getStatus() != SSLEngineResult.Status.OK || r.bytesConsumed() == 0) {
                throw new IllegalStateException("wrap: " + r);
            }
            produced += r.bytesProduced();
        }
        counter.bytes += appBytes;
        return produced;
    }

    /** Encrypts on the client and decrypts each record on the server: the cost of both ends. */
    @Benchmark
    public int wrapUnwrap(Bytes counter) throws SSLException {
        app.clear();
        int produced = 0;
        while (app.hasRemaining()) {
            net.clear();
            SSLEngineResult r = client.wrap(app, net);
            if (r.getStatus() != SSLEngineResult.Status.OK || r.bytesConsumed() == 0) {
                throw new IllegalStateException("wrap: " + r);
            }
            net.flip();
            peerApp.clear();
            while (net.hasRemaining()) {
                SSLEngineResult u = server.unwrap(net, peerApp);
                if (u.getStatus() != SSLEngineResult.Status.OK) {
                    throw new IllegalStateException("unwrap: " + u);
                }
                produced += u.bytesProduced();
            }
        }
        if (produced != appBytes) {
            throw new IllegalStateException("unwrap produced " + produced + " of " + appBytes + " bytes");
        }
        counter.bytes += appBytes;
        return produced;
    }

    /** Runs both engines against each other in memory until neither has handshake bytes left. */
    static void handshake(SSLEngine client, SSLEngine server) throws SSLException {
        ByteBuffer empty = ByteBuffer.allocate(0);
        ByteBuffer toServer = ByteBuffer.allocate(client.getSession().getPacketBufferSize() * 4);
        ByteBuffer toClient = ByteBuffer.allocate(server.getSession().getPacketBufferSize() * 4);
        ByteBuffer clientApp = ByteBuffer.allocate(client.getSession().getApplicationBufferSize() * 2);
        ByteBuffer serverApp = ByteBuffer.allocate(server.getSession().getApplicationBufferSize() * 2);
        client.beginHandshake();
        server.beginHandshake();
        for (int round = 0; round < 100; round++) {
            client.wrap(empty, toServer);
            runTasks(client);
            server.wrap(empty, toClient);
            runTasks(server);
            toServer.flip();
            while (toServer.hasRemaining()) {
                SSLEngineResult r = server.unwrap(toServer, serverApp);
                runTasks(server);
                if (r.bytesConsumed() == 0) {
                    break;
                }
            }
            toServer.compact();
            toClient.flip();
            while (toClient.hasRemaining()) {
                SSLEngineResult r = client.unwrap(toClient, clientApp);
                runTasks(client);
                if (r.bytesConsumed() == 0) {
                    break;
                }
            }
            toClient.compact();
            if (done(client) && done(server) && toServer.position() == 0 && toClient.position() == 0) {
                return;
            }
        }
        throw new IllegalStateException("handshake did not complete: client " + client.getHandshakeStatus()
                + ", server " + server.getHandshakeStatus());
    }

    private static boolean done(SSLEngine engine) {
        HandshakeStatus hs = engine.getHandshakeStatus();
        return hs == HandshakeStatus.NOT_HANDSHAKING || hs == HandshakeStatus.FINISHED;
    }

    private static void runTasks(SSLEngine engine) {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }
}

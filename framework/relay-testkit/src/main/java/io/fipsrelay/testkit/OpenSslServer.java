package io.fipsrelay.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TLS server run by the OS's {@code openssl s_server}, for server configurations SunJSSE cannot
 * offer (X25519-only groups, TLS 1.1 only, ChaCha20 only, ...).
 *
 * <p>Plain mode (no {@code -www}): s_server prints the application data it receives, so
 * {@link #receivedApplicationData()} tells whether a client got through the handshake and sent a
 * request. It never answers; clients see a silent server. stdin stays open on purpose: on EOF of
 * stdin s_server would shut down.
 */
public final class OpenSslServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OpenSslServer.class);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);
    private static final String INSTALL_HINT = "the openssl command-line tool is required by OpenSslServer: "
            + "install it (Debian/Ubuntu: apt-get install openssl)";
    private static final List<String> REQUEST_FRAGMENTS = List.of("GET ", "POST ", "HEAD ", "PUT ", "DELETE ");

    private final Process process;
    private final int port;
    private final Path directory;
    private final ServerProcess running;

    private OpenSslServer(Process process, int port, Path directory) {
        this.process = process;
        this.port = port;
        this.directory = directory;
        this.running = new ServerProcess(process, directory, "openssl-s_server-" + port);
    }

    /**
     * Starts {@code openssl s_server} on 127.0.0.1 with the identity's leaf certificate, CA chain and key
     * plus {@code extraArgs} (e.g. {@code List.of("-groups", "X25519")}), and waits until it accepts TCP.
     */
    public static OpenSslServer start(ServerIdentity identity, List<String> extraArgs) {
        String version = opensslVersion();
        Path directory;
        try {
            directory = Files.createTempDirectory("openssl-s_server-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path cert = identity.writeCertPem(directory.resolve("cert.pem"));
        Path key = identity.writeKeyPem(directory.resolve("key.pem"));
        Path chain = Pem.write(directory.resolve("chain.pem"), Pem.certificate(identity.chain().get(1)));
        for (int attempt = 1; ; attempt++) {
            int port = FreePorts.pick();
            List<String> command = new ArrayList<>(List.of("openssl", "s_server",
                    "-accept", "127.0.0.1:" + port,
                    "-cert", cert.toString(), "-key", key.toString(), "-cert_chain", chain.toString()));
            command.addAll(extraArgs);
            Process process;
            try {
                process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
            } catch (IOException e) {
                ServerProcess.deleteQuietly(directory);
                throw new IllegalStateException("cannot run " + command + ": " + INSTALL_HINT, e);
            }
            OpenSslServer server = new OpenSslServer(process, port, directory);
            try {
                server.awaitListening(command);
                LOG.debug("{} s_server listening on 127.0.0.1:{}: {}", version, port, command);
                return server;
            } catch (IllegalStateException e) {
                // FreePorts.pick() is racy: another process may have taken the port in between.
                boolean portTaken = server.output().contains("in use");
                if (!portTaken || attempt == 3) {
                    ServerProcess.deleteQuietly(directory);
                    throw e;
                }
                LOG.debug("port {} was taken before s_server bound it, retrying", port);
            }
        }
    }

    public int port() {
        return port;
    }

    /** Everything s_server wrote to stdout and stderr so far. */
    public String output() {
        return running.output();
    }

    /** True once s_server printed something that looks like an HTTP request line it received over TLS. */
    public boolean receivedApplicationData() {
        String text = output();
        return REQUEST_FRAGMENTS.stream().anyMatch(text::contains);
    }

    /** Waits up to {@code timeout} for {@link #receivedApplicationData()}. */
    public boolean awaitApplicationData(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!receivedApplicationData()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            sleep(20);
        }
        return true;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        running.close();
        LOG.debug("openssl s_server on port {} stopped", port);
    }

    private void awaitListening(List<String> command) {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                running.awaitOutputEnd();
                throw new IllegalStateException("openssl s_server exited with code " + process.exitValue()
                        + " before listening on port " + port + "; command " + command + "; output:\n" + output());
            }
            // Connect-and-close probe: s_server logs a failed handshake for it and keeps accepting.
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() - deadline >= 0) {
                    process.destroyForcibly();
                    throw new IllegalStateException("openssl s_server did not listen on port " + port + " within "
                            + STARTUP_TIMEOUT + "; command " + command + "; output:\n" + output());
                }
                sleep(50);
            }
        }
    }


    /** The output of {@code openssl version}; throws with an install hint if the binary is missing. */
    static String opensslVersion() {
        try {
            Process process = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("'openssl version' failed (" + text + "): " + INSTALL_HINT);
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException(INSTALL_HINT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running 'openssl version'", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

}

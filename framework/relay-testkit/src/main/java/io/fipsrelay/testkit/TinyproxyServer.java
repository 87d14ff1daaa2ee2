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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debian's real {@code tinyproxy}, started in the foreground on 127.0.0.1 with a configuration
 * file the test writes: {@code ConnectPort} for the given ports only, {@code BasicAuth} when asked,
 * and {@code LogLevel Connect} so {@link #connectRequests()} reads each CONNECT line from
 * tinyproxy's own log. {@link #close()} stops the process it started.
 *
 * <p>With {@link Builder#upstream(ConnectProxy)} tinyproxy hands every CONNECT, name unresolved,
 * to a testkit {@link ConnectProxy} on loopback (tinyproxy's {@code Upstream http} directive),
 * which connects to 127.0.0.1: the tests keep the intakes' real names (metrics.agent.ddog-gov.com)
 * and still no DNS query or packet leaves the machine. Without it tinyproxy resolves names itself,
 * so only names the machine resolves locally ("localhost") may be used.
 */
public final class TinyproxyServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TinyproxyServer.class);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);
    private static final String INSTALL_HINT = "tinyproxy is required by TinyproxyServer: install it"
            + " (Debian/Ubuntu: apt-get install tinyproxy; .ci/run does)";
    private static final Pattern CONNECT_LINE = Pattern.compile("Request \\(file descriptor \\d+\\): (CONNECT \\S+ HTTP/1\\.[01])");

    private final Process process;
    private final int port;
    private final Path directory;
    private final Path log;
    private final ServerProcess running;

    private TinyproxyServer(Process process, int port, Path directory) {
        this.process = process;
        this.port = port;
        this.directory = directory;
        this.log = directory.resolve("tinyproxy.log");
        this.running = new ServerProcess(process, directory, "tinyproxy-" + port);
    }

    public static Builder builder() {
        return new Builder();
    }

    public int port() {
        return port;
    }

    /** "http://127.0.0.1:port", or with "user:password@" when {@code credentials} is given. */
    public String url(String credentials) {
        return "http://" + (credentials == null ? "" : credentials + "@") + "127.0.0.1:" + port;
    }

    /** tinyproxy's log file as written so far. */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The CONNECT request lines tinyproxy logged ("CONNECT host:port HTTP/1.1"), in order. */
    public List<String> connectRequests() {
        List<String> lines = new ArrayList<>();
        Matcher m = CONNECT_LINE.matcher(log());
        while (m.find()) {
            lines.add(m.group(1));
        }
        return lines;
    }

    /** Waits up to {@code timeout} for at least {@code n} logged CONNECT lines. */
    public List<String> awaitConnectRequests(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> lines = connectRequests();
        while (lines.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
            lines = connectRequests();
        }
        return lines;
    }

    /** What tinyproxy printed on stdout and stderr. */
    public String output() {
        return running.output();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        running.close();
        LOG.debug("tinyproxy on port {} stopped", port);
    }

    /** What the test's configuration file says. */
    public static final class Builder {
        private final List<Integer> connectPorts = new ArrayList<>();
        private String basicAuth;
        private ConnectProxy upstream;

        /** Ports CONNECT may reach (tinyproxy's ConnectPort); others get 403. At least one is required. */
        public Builder connectPort(int port) {
            connectPorts.add(port);
            return this;
        }

        /** CONNECT requires these credentials (tinyproxy's BasicAuth), else 407. */
        public Builder basicAuth(String user, String password) {
            this.basicAuth = user + " " + password;
            return this;
        }

        /** Hands every CONNECT to this loopback proxy instead of resolving the name. */
        public Builder upstream(ConnectProxy proxy) {
            this.upstream = proxy;
            return this;
        }

        public TinyproxyServer start() {
            if (connectPorts.isEmpty()) {
                throw new IllegalStateException("name at least one ConnectPort");
            }
            Path directory;
            try {
                directory = Files.createTempDirectory("tinyproxy-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (int attempt = 1; ; attempt++) {
                int port = FreePorts.pick();
                Path conf = directory.resolve("tinyproxy.conf");
                writeConfig(conf, directory, port);
                List<String> command = List.of("tinyproxy", "-d", "-c", conf.toString());
                Process process;
                try {
                    process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
                } catch (IOException e) {
                    ServerProcess.deleteQuietly(directory);
                    throw new IllegalStateException("cannot run " + command + ": " + INSTALL_HINT, e);
                }
                TinyproxyServer server = new TinyproxyServer(process, port, directory);
                try {
                    server.awaitListening();
                    LOG.debug("tinyproxy listening on 127.0.0.1:{}", port);
                    return server;
                } catch (IllegalStateException e) {
                    server.process.destroyForcibly();
                    // FreePorts.pick() is racy: another process may have taken the port in between.
                    boolean portTaken = (server.output() + server.log()).contains("in use");
                    if (!portTaken || attempt == 3) {
                        ServerProcess.deleteQuietly(directory);
                        throw e;
                    }
                }
            }
        }

        private void writeConfig(Path conf, Path directory, int port) {
            StringBuilder sb = new StringBuilder()
                    .append("Port ").append(port).append('\n')
                    .append("Listen 127.0.0.1\n")
                    .append("Timeout 30\n")
                    .append("MaxClients 100\n")
                    .append("LogFile \"").append(directory.resolve("tinyproxy.log")).append("\"\n")
                    .append("LogLevel Connect\n")
                    .append("PidFile \"").append(directory.resolve("tinyproxy.pid")).append("\"\n")
                    .append("Allow 127.0.0.1\n")
                    .append("DisableViaHeader Yes\n");
            connectPorts.forEach(p -> sb.append("ConnectPort ").append(p).append('\n'));
            if (basicAuth != null) {
                sb.append("BasicAuth ").append(basicAuth).append('\n');
            }
            if (upstream != null) {
                sb.append("Upstream http 127.0.0.1:").append(upstream.port()).append('\n');
            }
            try {
                Files.writeString(conf, sb.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                running.awaitOutputEnd();
                throw new IllegalStateException("tinyproxy exited with code " + process.exitValue()
                        + " before listening on port " + port + "; output:\n" + output() + "\nlog:\n" + log());
            }
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new IllegalStateException("tinyproxy did not listen on port " + port + " within "
                            + STARTUP_TIMEOUT + "; output:\n" + output() + "\nlog:\n" + log());
                }
                sleep(50);
            }
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

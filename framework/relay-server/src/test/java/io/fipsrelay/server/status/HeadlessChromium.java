package io.fipsrelay.server.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Debian's Chromium, headless, with a fresh profile and no network habits of its own (no
 * background fetches, no component updates, no QUIC), driven over the DevTools protocol.
 *
 * <p>The DevTools protocol is spoken directly over the JDK's WebSocket client ({@link DevToolsSession})
 * rather than through Selenium and chromedriver: the test needs a handful of commands (navigate,
 * evaluate, screenshot, network log), and this way there is no driver binary to keep in step with
 * the browser's version and no extra test dependencies.
 */
final class HeadlessChromium implements AutoCloseable {

    static final String INSTALL_HINT = "Chromium is needed for the dashboard test: install Debian's package with "
            + "`apt-get update && apt-get install -y chromium` (.ci/run does), or point CHROMIUM at a Chromium binary";

    private final Process process;
    private final Path profile;
    private final int devToolsPort;

    private HeadlessChromium(Process process, Path profile, int devToolsPort) {
        this.process = process;
        this.profile = profile;
        this.devToolsPort = devToolsPort;
    }

    static HeadlessChromium launch(int width, int height) throws IOException, InterruptedException {
        Path binary = find();
        Path profile = Files.createTempDirectory("fips-relay-chromium-");
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
                "--user-data-dir=" + profile, "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--window-size=" + width + "," + height, "about:blank"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(profile.resolve("chromium.log").toFile()).start();
        // With port 0 Chromium picks a free port and writes it to DevToolsActivePort in the profile.
        Path activePort = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.isRegularFile(activePort) || Files.readAllLines(activePort).isEmpty()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String log = Files.isRegularFile(profile.resolve("chromium.log")) ? Files.readString(profile.resolve("chromium.log")) : "";
                process.destroyForcibly();
                throw new IllegalStateException("Chromium did not open its DevTools port (exit "
                        + (process.isAlive() ? "none" : process.exitValue()) + "): " + log);
            }
            Thread.sleep(100);
        }
        return new HeadlessChromium(process, profile, Integer.parseInt(Files.readAllLines(activePort).get(0).trim()));
    }

    /** $CHROMIUM, else the first of chromium / chromium-browser / google-chrome on the PATH; fails with the install hint. */
    static Path find() {
        String explicit = System.getenv("CHROMIUM");
        if (explicit != null && Files.isExecutable(Path.of(explicit))) {
            return Path.of(explicit);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new AssertionError(INSTALL_HINT);
    }

    /** A DevTools session on the browser's first page. */
    DevToolsSession openPage() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + devToolsPort + "/json/list"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode target : new ObjectMapper().readTree(list.body())) {
            if ("page".equals(target.get("type").asText())) {
                return DevToolsSession.connect(http, URI.create(target.get("webSocketDebuggerUrl").asText()));
            }
        }
        throw new IllegalStateException("Chromium has no page target: " + list.body());
    }

    /** Stops the browser and the helper processes it started (renderer, network service), then drops the profile. */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> helpers = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        for (ProcessHandle helper : helpers) {
            helper.destroy();
            try {
                helper.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                helper.destroyForcibly();
            }
        }
        deleteProfile();
    }

    /** Best effort: a file a dying helper still renames must not fail the test that used the browser. */
    private void deleteProfile() {
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            // What is left is a temporary folder under /tmp.
        }
    }
}

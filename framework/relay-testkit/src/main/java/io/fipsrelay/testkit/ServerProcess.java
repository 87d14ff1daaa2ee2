package io.fipsrelay.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A server a test started as a process (openssl s_server, tinyproxy): its combined output collected
 * as it comes, and on close the process stopped (forcibly after 5 s) and its scratch folder removed.
 */
final class ServerProcess implements AutoCloseable {

    private final Process process;
    private final Path directory;
    private final StringBuffer output = new StringBuffer();
    private final Thread pump;

    ServerProcess(Process process, Path directory, String name) {
        this.process = process;
        this.directory = directory;
        this.pump = new Thread(this::pumpOutput, name);
        pump.setDaemon(true);
        pump.start();
    }

    /** Everything the process printed so far. */
    String output() {
        return output.toString();
    }

    /** Waits (up to a second) until the output of a process that has exited is read to its end. */
    void awaitOutputEnd() {
        try {
            pump.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            pump.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        deleteQuietly(directory);
    }

    private void pumpOutput() {
        byte[] buffer = new byte[4096];
        try (InputStream in = process.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                // ISO-8859-1 maps every byte, so binary noise cannot break the text.
                output.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            // process gone
        }
    }

    /** Removes a scratch folder and what is in it; what cannot be removed is left (temp files only). */
    static void deleteQuietly(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // temp files only
        }
    }
}

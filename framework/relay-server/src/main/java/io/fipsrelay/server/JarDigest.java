package io.fipsrelay.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The SHA-256 of a plugin jar, what an operator compares with the digest published for the jar. */
final class JarDigest {

    private JarDigest() {
    }

    /** Lowercase hex, as {@code sha256sum} prints it. */
    static String sha256(Path jar) {
        try (InputStream in = Files.newInputStream(jar)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jar + " to take its SHA-256", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 provider", e);
        }
    }
}

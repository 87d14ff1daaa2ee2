package io.fipsrelay.server.evidence;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A jar the relay actually loaded a class from: its path, version and SHA-256 (computed by the FIPS
 * module), so an assessor can compare it with the file the vendor published.
 */
public record JarFacts(String path, String version, String sha256) {

    /** The jar {@code type} was loaded from. */
    public static JarFacts of(Class<?> type) {
        String version = type.getPackage() != null && type.getPackage().getImplementationVersion() != null
                ? type.getPackage().getImplementationVersion() : null;
        try {
            Path path = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(path)) {
                return new JarFacts(path.toString(), version == null ? "unknown" : version, "not a jar file (class folder)");
            }
            return new JarFacts(path.toString(), version != null ? version : bundleVersion(path), sha256(path));
        } catch (URISyntaxException | RuntimeException e) {
            return new JarFacts("unknown (" + e.getMessage() + ")", version, "unknown");
        }
    }

    /** The OSGi Bundle-Version of the jar's manifest (BC jars without Implementation-Version carry it). */
    private static String bundleVersion(Path jar) {
        try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile(), false)) {
            String v = file.getManifest() == null ? null : file.getManifest().getMainAttributes().getValue("Bundle-Version");
            return v == null ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** SHA-256 of a file, lower-case hex, or why it could not be read. */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256", "BCFIPS");
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException | GeneralSecurityException e) {
            return "unavailable (" + e.getMessage() + ")";
        }
    }
}

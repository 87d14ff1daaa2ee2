package io.fipsrelay.server.status;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * A file the dashboard needs, read from the class path once at start, so a broken build fails at
 * start rather than when an operator opens the page.
 */
public record StaticAsset(String contentType, byte[] bytes) implements StatusEndpoint {

    public static StaticAsset classpath(String resource, String contentType) {
        try (InputStream in = StaticAsset.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("status page resource " + resource + " is missing from the class path");
            }
            return new StaticAsset(contentType, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /**
     * A file of an npm webjar (org.webjars.npm:{@code artifact}), found through the version its
     * pom.properties records, so a version bump in the pom needs no code change.
     */
    public static StaticAsset webjar(String artifact, String file, String contentType) {
        String pom = "META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties";
        Properties props = new Properties();
        try (InputStream in = StaticAsset.class.getClassLoader().getResourceAsStream(pom)) {
            if (in == null) {
                throw new IllegalStateException("webjar org.webjars.npm:" + artifact + " is missing from the class path");
            }
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pom, e);
        }
        return classpath("META-INF/resources/webjars/" + artifact + "/" + props.getProperty("version") + "/" + file, contentType);
    }

    @Override
    public StatusResponse respond() {
        return StatusResponse.of(200, contentType, bytes);
    }
}

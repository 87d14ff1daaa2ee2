package io.fipsrelay.testkit;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Collects a request body: always its length and SHA-256, the bytes themselves only up to a limit. */
final class BodySink implements HttpWire.Sink {

    private final long keepLimit;
    private final MessageDigest sha256;
    private ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private long length;

    BodySink(long keepLimit) {
        this.keepLimit = keepLimit;
        try {
            // Named provider: the digest must not depend on where BCFIPS sits in the provider list.
            this.sha256 = MessageDigest.getInstance("SHA-256", "SUN");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void write(byte[] data, int offset, int count) {
        sha256.update(data, offset, count);
        length += count;
        if (bytes != null) {
            if (length > keepLimit) {
                bytes = null;
            } else {
                bytes.write(data, offset, count);
            }
        }
    }

    /** The body, or null if it outgrew the keep limit. */
    byte[] bytes() {
        return bytes == null ? null : bytes.toByteArray();
    }

    long length() {
        return length;
    }

    String sha256Hex() {
        return HexFormat.of().formatHex(sha256.digest());
    }
}

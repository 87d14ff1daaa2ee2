package io.fipsrelay.core.upstream;

import java.nio.ByteBuffer;

/** The exchange currently using an upstream connection hears from it through this. */
public interface UpstreamListener {

    /** Decrypted bytes from the intake (called on the connection's I/O thread, in order). */
    void upstreamData(ByteBuffer plaintext);

    /** The bytes queued towards the intake fell below the low-water mark. */
    void upstreamDrained();

    /** The connection is gone; the cause says why. */
    void upstreamClosed(String cause);
}

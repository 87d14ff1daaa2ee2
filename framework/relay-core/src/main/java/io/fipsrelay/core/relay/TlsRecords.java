package io.fipsrelay.core.relay;

import java.nio.ByteBuffer;

/** What the first bytes of a connection say about the protocol the client speaks. */
final class TlsRecords {

    /** TLS record type "handshake": every ClientHello starts with it, no HTTP request can. */
    private static final byte HANDSHAKE = 0x16;
    /** The major version byte of every TLS and SSL 3 record. */
    private static final byte MAJOR_VERSION = 0x03;

    private TlsRecords() {
    }

    /** Whether {@code first} (not consumed) starts like a TLS ClientHello record: 0x16 0x03. */
    static boolean startsWithHandshake(ByteBuffer first) {
        int p = first.position();
        if (first.remaining() == 0 || first.get(p) != HANDSHAKE) {
            return false;
        }
        return first.remaining() == 1 || first.get(p + 1) == MAJOR_VERSION;
    }
}

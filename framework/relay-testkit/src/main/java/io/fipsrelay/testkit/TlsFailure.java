package io.fipsrelay.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * The {@link Fault#TLS_FAILURE} fault: answers a ClientHello with a fatal handshake_failure alert and
 * closes, as a server with no usable certificate or cipher suite would. Done on the plain TCP socket
 * because no JSSE API lets a server fail a handshake on purpose.
 */
final class TlsFailure {

    /** TLS record: alert (21), legacy record version 3.3, length 2, level fatal (2), handshake_failure (40). */
    private static final byte[] HANDSHAKE_FAILURE_ALERT = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
    private static final int HANDSHAKE = 0x16;
    private static final int READ_TIMEOUT_MILLIS = 5_000;

    private TlsFailure() {
    }

    /**
     * Reads the client's first TLS record (so closing does not turn into a reset that could hide the
     * alert), sends the alert and closes. A peer that sends nothing (a TCP-only health check) just
     * gets closed once it leaves or after 5 s.
     */
    static void abort(Socket tcp) throws IOException {
        tcp.setSoTimeout(READ_TIMEOUT_MILLIS);
        InputStream in = tcp.getInputStream();
        byte[] header = in.readNBytes(5);
        if (header.length == 0) {
            return; // the peer left without a ClientHello
        }
        if (header.length == 5 && (header[0] & 0xff) == HANDSHAKE) {
            int length = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
            in.readNBytes(length);
        }
        OutputStream out = tcp.getOutputStream();
        out.write(HANDSHAKE_FAILURE_ALERT);
        out.flush();
        tcp.shutdownOutput(); // FIN after the alert; the caller closes the socket
    }
}

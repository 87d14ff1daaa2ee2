package io.fipsrelay.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.function.BooleanSupplier;

/**
 * The {@link Fault#STALL} fault: after the whole request arrived, the intake holds the connection
 * open and never answers, the case a relay's response timeout exists for.
 */
final class Stall {

    private Stall() {
    }

    /**
     * Blocks, discarding anything the peer sends (e.g. pipelined requests), until it closes the
     * connection, the connection fails, or {@code intakeClosed} says so (the intake closes the socket
     * too, which ends the read). Read timeouts just go round again.
     */
    static void hold(InputStream in, BooleanSupplier intakeClosed) {
        byte[] discard = new byte[8 * 1024];
        while (!intakeClosed.getAsBoolean()) {
            try {
                if (in.read(discard) < 0) {
                    return;
                }
            } catch (SocketTimeoutException e) {
                // still stalling
            } catch (IOException e) {
                return;
            }
        }
    }
}

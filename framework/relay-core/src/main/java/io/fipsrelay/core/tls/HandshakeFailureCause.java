package io.fipsrelay.core.tls;

import java.util.Locale;
import javax.net.ssl.SSLException;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;

/**
 * A failed handshake in a metric's words: the TLS alert BCJSSE sent or received
 * ({@code handshake-failure} for no common suite or group, {@code protocol-version} for TLS 1.1,
 * {@code certificate-required}, {@code bad-certificate}, {@code certificate-unknown} for a client
 * certificate from another CA), {@code other} when there was none.
 */
public final class HandshakeFailureCause {

    private HandshakeFailureCause() {
    }

    public static String of(SSLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TlsFatalAlert alert) {
                return name(alert.getAlertDescription());
            }
            if (t instanceof TlsFatalAlertReceived received) {
                return "received-" + name(received.getAlertDescription());
            }
        }
        return "other";
    }

    private static String name(short description) {
        return AlertDescription.getName(description).toLowerCase(Locale.ROOT).replace('_', '-');
    }
}

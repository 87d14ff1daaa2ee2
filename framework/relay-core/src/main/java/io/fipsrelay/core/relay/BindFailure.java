package io.fipsrelay.core.relay;

/** A product's port could not be bound; the message is the operator-facing line. */
public final class BindFailure extends Exception {
    public BindFailure(String message, Throwable cause) {
        super(message, cause);
    }
}

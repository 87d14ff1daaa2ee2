package io.fipsrelay.core.fips;

/** The FIPS module cannot be used as required: the relay must not start. */
public final class FipsNotReadyException extends Exception {
    public FipsNotReadyException(String message) {
        super(message);
    }

    public FipsNotReadyException(String message, Throwable cause) {
        super(message, cause);
    }
}

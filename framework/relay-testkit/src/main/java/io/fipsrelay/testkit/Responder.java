package io.fipsrelay.testkit;

/** Decides what the stand-in intake answers to a recorded request. Called on the connection's thread. */
@FunctionalInterface
public interface Responder {

    CannedResponse respond(RecordedRequest request);
}

package io.fipsrelay.server.status;

/** One page or document of the status port. */
@FunctionalInterface
public interface StatusEndpoint {

    /** The answer to a GET (a HEAD gets the same head without the body). */
    StatusResponse respond() throws Exception;
}

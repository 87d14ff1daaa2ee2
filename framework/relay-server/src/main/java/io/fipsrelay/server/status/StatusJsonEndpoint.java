package io.fipsrelay.server.status;

import com.fasterxml.jackson.databind.ObjectMapper;

/** /status.json: the whole {@link StatusDocument}, which is what the dashboard renders. */
public final class StatusJsonEndpoint implements StatusEndpoint {

    private final RelayStatusSource source;
    private final ObjectMapper json;

    public StatusJsonEndpoint(RelayStatusSource source, ObjectMapper json) {
        this.source = source;
        this.json = json;
    }

    @Override
    public StatusResponse respond() throws Exception {
        return StatusResponse.of(200, StatusResponse.JSON, json.writeValueAsBytes(source.current()));
    }
}

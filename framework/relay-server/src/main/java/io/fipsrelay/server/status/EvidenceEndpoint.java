package io.fipsrelay.server.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fipsrelay.server.evidence.EvidenceDocument;
import java.util.function.Supplier;

/** /evidence.json: the compliance report of the running relay, negotiated parameters included. */
public final class EvidenceEndpoint implements StatusEndpoint {

    private final Supplier<EvidenceDocument> evidence;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public EvidenceEndpoint(Supplier<EvidenceDocument> evidence) {
        this.evidence = evidence;
    }

    @Override
    public StatusResponse respond() throws Exception {
        return StatusResponse.of(200, StatusResponse.JSON, json.writeValueAsBytes(evidence.get()));
    }
}

package io.fipsrelay.server.status;

import com.fasterxml.jackson.databind.ObjectMapper;

/** /healthz: 200 {"status":"ok"} when healthy, else 503 with every reason, for probes and people alike. */
public final class HealthEndpoint implements StatusEndpoint {

    private final RelayHealth health;
    private final ObjectMapper json;

    public HealthEndpoint(RelayHealth health, ObjectMapper json) {
        this.health = health;
        this.json = json;
    }

    @Override
    public StatusResponse respond() throws Exception {
        RelayHealth.Verdict verdict = health.check();
        Object body = verdict.healthy()
                ? java.util.Map.of("status", "ok")
                : java.util.Map.of("status", "unavailable", "reasons", verdict.reasons());
        return StatusResponse.of(verdict.healthy() ? 200 : 503, StatusResponse.JSON, json.writeValueAsBytes(body));
    }
}

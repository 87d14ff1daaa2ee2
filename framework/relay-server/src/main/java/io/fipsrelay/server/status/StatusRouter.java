package io.fipsrelay.server.status;

import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the endpoint for a request path (exact match) and turns failures into answers. */
public final class StatusRouter {

    private static final Logger LOG = LoggerFactory.getLogger(StatusRouter.class);
    static final String ALLOWED = "GET, HEAD";

    private final Map<String, StatusEndpoint> routes = new LinkedHashMap<>();

    public StatusRouter route(String path, StatusEndpoint endpoint) {
        routes.put(path, endpoint);
        return this;
    }

    public StatusResponse dispatch(String method, String path) {
        StatusEndpoint endpoint = routes.get(path);
        if (endpoint == null) {
            return StatusResponse.text(404, "no page " + path + " here; the status port serves / (dashboard), "
                    + "/status.json, /metrics (Prometheus), /healthz and /evidence.json (compliance report)");
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return StatusResponse.text(405, "the status port only answers GET and HEAD").withHeader("Allow", ALLOWED);
        }
        try {
            return endpoint.respond();
        } catch (Exception | LinkageError e) {
            LOG.warn("status page {} failed", path, e);
            return StatusResponse.text(500, "could not render " + path + ": " + e);
        }
    }
}

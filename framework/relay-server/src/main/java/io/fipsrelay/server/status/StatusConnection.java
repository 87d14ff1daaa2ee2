package io.fipsrelay.server.status;

import io.fipsrelay.core.http.HeadScanner;
import io.fipsrelay.core.http.HttpParseException;
import io.fipsrelay.core.http.RequestHead;
import io.fipsrelay.core.http.RequestPolicy;
import java.nio.ByteBuffer;
import java.util.Set;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.IoSession;

/**
 * One browser or scraper connection to the status port: requests read with the relay's own strict
 * HTTP/1.1 parser, answered in order, kept alive when the client asks. Only the session's I/O
 * thread touches it.
 */
final class StatusConnection {

    /** Status requests are small GETs: no body, short heads. */
    static final RequestPolicy POLICY = new RequestPolicy(8 * 1024, 32 * 1024, 100, 0, Set.of("GET", "HEAD"));

    private final IoSession session;
    private final StatusRouter router;
    private final HeadScanner scanner = HeadScanner.forRequests(POLICY.maxRequestLine(), POLICY.maxHeaderSection());
    private boolean closing;

    StatusConnection(IoSession session, StatusRouter router) {
        this.session = session;
        this.router = router;
    }

    void received(IoBuffer data) {
        ByteBuffer b = data.buf();
        while (b.hasRemaining() && !closing) {
            try {
                if (!scanner.feed(b)) {
                    return;
                }
                RequestHead request = RequestHead.parse(scanner.head(), POLICY);
                scanner.reset();
                if (request.chunked()) {
                    throw new HttpParseException(400, "status requests have no body");
                }
                StatusResponse response = router.dispatch(request.method(), request.path());
                // HTTP/1.0 clients get one answer per connection: simpler than echoing keep-alive.
                boolean close = !request.keepAlive() || request.minorVersion() == 0;
                answer(response, !request.isHead(), close);
            } catch (HttpParseException e) {
                StatusResponse refusal = StatusResponse.text(e.status(), e.getMessage());
                answer(e.status() == 405 ? refusal.withHeader("Allow", StatusRouter.ALLOWED) : refusal, true, true);
            }
        }
    }

    private void answer(StatusResponse response, boolean includeBody, boolean close) {
        session.write(response.toWire(includeBody, close));
        if (close) {
            closing = true;
            session.closeOnFlush();
        }
    }
}

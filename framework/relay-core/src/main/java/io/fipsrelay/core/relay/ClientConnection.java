package io.fipsrelay.core.relay;

import io.fipsrelay.core.http.BodyFramer;
import io.fipsrelay.core.http.HeadScanner;
import io.fipsrelay.core.http.HttpParseException;
import io.fipsrelay.core.http.RequestHead;
import io.fipsrelay.core.http.ResponseHead;
import io.fipsrelay.core.metrics.RelayMetrics;
import io.fipsrelay.core.settings.HostAndPort;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.upstream.UpstreamConnection;
import io.fipsrelay.core.upstream.UpstreamFailure;
import io.fipsrelay.core.upstream.UpstreamListener;
import java.nio.ByteBuffer;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent connection on one product port, relaying its requests one at a time: head parsed and
 * checked, route and upstream connection chosen, head rewritten, body and answer streamed with
 * backpressure both ways.
 *
 * <p>Client events arrive on the client session's I/O thread and upstream events on the upstream
 * session's; every state change happens under this object's lock. The lock order is always this
 * connection, then the upstream TLS engine (never the reverse), so the two sides cannot deadlock.
 */
final class ClientConnection implements UpstreamListener {

    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);

    private enum State { HEAD, CONNECTING, RELAYING, CLOSED }

    /** RFC 9110 9.2.2. */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");

    private final IoSession session;
    private RelaySettings.ProductSettings product;
    private final java.util.function.Supplier<RelayContext> contexts;
    /** The configuration of the exchange in progress (a reload applies from the next exchange). */
    private RelayContext ctx;
    private final RelayMetrics.ProductMetrics productMetrics;
    private final HeadScanner requestScanner;
    private final HeaderDeadline headerDeadline;
    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private long pendingBytes;
    private State state = State.HEAD;
    private boolean clientReadSuspended;
    private boolean upstreamReadSuspended;
    private boolean draining;

    // The exchange in progress.
    private RequestHead request;
    private BodyFramer requestBody;
    private boolean requestDone;
    private List<HostAndPort> servers;
    private HostAndPort server;
    private UpstreamConnection upstream;
    private ReplayBuffer replay;
    private final Set<InetSocketAddress> tried = new HashSet<>();
    private int attempts;
    private boolean upstreamSpoke;
    private UpstreamFailure lastFailure;
    private HeadScanner responseScanner;
    private ResponseHead response;
    private BodyFramer responseBody;
    private boolean responseStarted;
    private boolean responseDone;
    private boolean closeAfterResponse;
    private boolean upstreamReusable;
    private long requestSentNanos;
    private ScheduledFuture<?> responseTimer;

    ClientConnection(IoSession session, RelaySettings.ProductSettings product,
                     java.util.function.Supplier<RelayContext> contexts) {
        this.session = session;
        this.product = product;
        this.contexts = contexts;
        this.ctx = contexts.get();
        this.productMetrics = ctx.metrics().product(product.id());
        RelaySettings.Limits limits = ctx.settings().limits();
        this.requestScanner = HeadScanner.forRequests(limits.maxRequestLine(), limits.maxHeaderSection());
        this.headerDeadline = new HeaderDeadline(ctx.timer(), limits.headerTimeout());
    }

    // ---------------------------------------------------------------- client side

    synchronized void clientData(IoBuffer buf) {
        if (state == State.CLOSED) {
            return;
        }
        ByteBuffer b = buf.buf();
        pending.addLast(b);
        pendingBytes += b.remaining();
        process();
    }

    synchronized void clientDrained() {
        if (upstreamReadSuspended && upstream != null && session.getScheduledWriteBytes() < ctx.settings().relay().lowWaterMark()) {
            upstreamReadSuspended = false;
            upstream.resumeReading();
        }
    }

    synchronized void clientClosed() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        cancelResponseTimer();
        if (replay != null) {
            replay.release();
        }
        headerDeadline.stop();
        if (upstream != null) {
            UpstreamConnection u = upstream;
            upstream = null;
            u.close("agent closed its connection mid-exchange");
            ctx.pool().release(u, false);
        }
        pending.clear();
        pendingBytes = 0;
    }

    String productId() {
        return product.id();
    }

    /**
     * The product's listener is gone: the exchange in progress finishes (its answer says
     * {@code Connection: close} when not yet sent) and then the connection closes; an idle one
     * closes now. Without this an agent's keep-alive connection would go on relaying a removed
     * product for as long as it keeps sending.
     */
    synchronized void drain() {
        if (state == State.CLOSED) {
            return;
        }
        draining = true;
        if (betweenRequests()) {
            closeClient();
        } else {
            closeAfterResponse = true;
        }
    }

    /** Whether the connection sits between requests (idle timeouts apply only then). */
    synchronized boolean betweenRequests() {
        return state == State.HEAD && !requestScanner.started();
    }

    /** Drives the state machine over the bytes received so far. */
    private void process() {
        while (state != State.CLOSED && !pending.isEmpty()) {
            if (state == State.HEAD) {
                if (!readHead()) {
                    return;
                }
            } else if (state == State.RELAYING && !requestDone) {
                forwardBody();
                if (!requestDone) {
                    return;
                }
            } else {
                // Connecting, or a pipelined request waiting for the answer to the one before.
                suspendClient();
                return;
            }
        }
    }

    private boolean readHead() {
        boolean complete;
        try {
            ByteBuffer b = pending.peekFirst();
            int before = b.remaining();
            complete = requestScanner.feed(b);
            pendingBytes -= before - b.remaining();
            if (!b.hasRemaining()) {
                pending.pollFirst();
            }
            if (!complete) {
                if (requestScanner.started()) {
                    headerDeadline.startIfStopped(this::headerTimedOut);
                }
                return true;
            }
            headerDeadline.stop();
            request = RequestHead.parse(requestScanner.head(), ctx.policy());
            BodyFramer.checkAhead(request.bodyFramer(), pending);
        } catch (HttpParseException e) {
            refuse(e.status(), e.getMessage());
            return false;
        }
        requestScanner.reset();
        productMetrics.requests.mark();
        startExchange();
        return true;
    }

    private synchronized void headerTimedOut() {
        if (state == State.HEAD && headerDeadline.expired()) {
            refuse(408, "request head not complete within " + headerDeadline.limitMillis() + " ms");
        }
    }

    private void startExchange() {
        ctx = contexts.get();
        product = ctx.settings().product(product.id()).orElse(product);
        requestBody = request.bodyFramer();
        requestDone = false;
        response = null;
        responseBody = null;
        responseStarted = false;
        responseDone = false;
        responseScanner = HeadScanner.forResponses(16 * 1024, 64 * 1024);
        closeAfterResponse = draining || !request.keepAlive();
        upstreamReusable = true;
        upstreamSpoke = false;
        servers = ctx.settings().serversFor(product, request.path());
        server = servers.get(0);
        tried.clear();
        attempts = 0;
        lastFailure = null;
        int replayLimit = ctx.settings().upstream().replayBuffer();
        replay = request.chunked() || request.contentLength() <= replayLimit
                ? new ReplayBuffer(replayLimit, ctx.replayBudget()) : ReplayBuffer.none();
        connectUpstream();
    }

    /** Takes a connection for the exchange; the agent's socket is not read meanwhile. */
    private void connectUpstream() {
        state = State.CONNECTING;
        suspendClient();
        ctx.pool().acquire(servers, tried).whenComplete(this::upstreamReady);
    }

    private synchronized void upstreamReady(UpstreamConnection c, Throwable err) {
        if (state != State.CONNECTING) {
            if (c != null) {
                ctx.pool().release(c, true);
            }
            return;
        }
        if (err != null) {
            UpstreamFailure f = UpstreamFailure.of(err);
            if (f.retryable() && attempts < ctx.settings().upstream().retries()) {
                // Nothing was sent on that attempt: another address may do.
                attempts++;
                tried.add(f.address());
                lastFailure = f;
                LOG.debug("{}: {}; trying another address ({} of {})", product.id(), f.getMessage(), attempts,
                        ctx.settings().upstream().retries());
                ctx.pool().acquire(servers, tried).whenComplete(this::upstreamReady);
                return;
            }
            if (f.kind().equals("no-server") && f.status() == 502 && lastFailure != null) {
                f = lastFailure; // every address was tried: the agent hears the real failure
            }
            productMetrics.error(f.kind());
            answerError(f.status(), f.getMessage());
            return;
        }
        upstream = c;
        server = c.server();
        if (c.viaProxy()) {
            productMetrics.proxiedRequests.mark();
        }
        c.attach(this);
        state = State.RELAYING;
        try {
            c.write(request.upstreamHead(server.hostHeader()));
            if (replay.intact() && !replay.isEmpty()) {
                for (ByteBuffer sent : replay.contents()) {
                    c.write(sent); // a retry: what the dead connection had been sent
                }
            }
        } catch (Exception e) {
            upstreamFailed("TLS failure sending to " + c.describe() + ": " + UpstreamFailure.describe(e));
            return;
        }
        requestSentNanos = System.nanoTime();
        if (requestBody.complete() && !requestDone) {
            requestComplete();
        } else if (requestDone) {
            startResponseTimer();
        }
        resumeClient();
        process();
    }

    private void forwardBody() {
        while (!pending.isEmpty() && !requestDone) {
            ByteBuffer b = pending.peekFirst();
            int start = b.position();
            try {
                requestBody.consume(b);
            } catch (HttpParseException e) {
                // Part of the body already went upstream: that exchange is void on both sides.
                upstreamReusable = false;
                refuse(e.status(), e.getMessage());
                return;
            }
            int n = b.position() - start;
            if (n > 0) {
                ByteBuffer slice = b.duplicate();
                slice.position(start).limit(start + n);
                pendingBytes -= n;
                productMetrics.requestBytes.mark(n);
                replay.append(slice);
                try {
                    upstream.write(slice);
                } catch (Exception e) {
                    upstreamFailed("TLS failure sending to " + upstream.describe() + ": " + UpstreamFailure.describe(e));
                    return;
                }
            }
            if (!b.hasRemaining()) {
                pending.pollFirst();
            }
            if (requestBody.complete()) {
                requestComplete();
            }
        }
        observeBuffered();
        if (!requestDone && upstream != null && upstream.queuedBytes() > ctx.settings().relay().highWaterMark()) {
            suspendClient();
        }
    }

    private void requestComplete() {
        requestDone = true;
        requestSentNanos = System.nanoTime();
        startResponseTimer();
    }

    private void startResponseTimer() {
        if (!responseStarted && response == null && responseTimer == null) {
            long ms = ctx.settings().upstream().responseTimeout().toMillis();
            responseTimer = ctx.timer().schedule(this::responseTimedOut, ms, TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void responseTimedOut() {
        if (state != State.RELAYING || responseStarted || response != null) {
            return;
        }
        productMetrics.error("timeout");
        String cause = "no answer from " + upstream.describe() + " within "
                + ctx.settings().upstream().responseTimeout().toMillis() + " ms";
        UpstreamConnection u = detachUpstream();
        u.close(cause);
        ctx.pool().release(u, false);
        answerError(504, cause);
    }

    // ---------------------------------------------------------------- upstream side

    @Override
    public synchronized void upstreamData(ByteBuffer data) {
        if (state != State.RELAYING) {
            return;
        }
        cancelResponseTimer();
        if (!upstreamSpoke) {
            upstreamSpoke = true;
            replay.release(); // never sent again once the intake has started to answer
        }
        while (data.hasRemaining() && state == State.RELAYING) {
            if (response == null) {
                try {
                    if (!responseScanner.feed(data)) {
                        return;
                    }
                    ResponseHead head = ResponseHead.parse(responseScanner.head(), request.isHead(),
                            ctx.settings().limits().maxHeaderFields());
                    responseScanner.reset();
                    if (head.interim()) {
                        if (head.status() == 101) {
                            throw new HttpParseException(502, "unexpected 101 Switching Protocols");
                        }
                        if (request.minorVersion() == 1) {
                            writeClient(head.clientHead(false, false));
                        }
                        continue;
                    }
                    response = head;
                    productMetrics.upstreamLatency.update(System.nanoTime() - requestSentNanos, TimeUnit.NANOSECONDS);
                    productMetrics.response(head.status());
                    responseBody = switch (head.framing()) {
                        case NONE -> BodyFramer.none();
                        case LENGTH -> BodyFramer.length(head.contentLength());
                        case CHUNKED -> BodyFramer.chunked(502);
                        case UNTIL_CLOSE -> BodyFramer.untilClose();
                    };
                    if (!head.keepAlive()) {
                        upstreamReusable = false;
                    }
                    if (head.framing() == ResponseHead.Framing.UNTIL_CLOSE) {
                        closeAfterResponse = true;
                    }
                    if (!requestDone) {
                        // An early answer (e.g. 413): the rest of the request will not be read.
                        closeAfterResponse = true;
                        upstreamReusable = false;
                    }
                    responseStarted = true;
                    writeClient(head.clientHead(closeAfterResponse, request.minorVersion() == 0 && !closeAfterResponse));
                } catch (HttpParseException e) {
                    upstreamReusable = false;
                    upstreamFailed("invalid HTTP response from " + upstream.describe() + ": " + e.getMessage());
                    return;
                }
            }
            int start = data.position();
            try {
                responseBody.consume(data);
            } catch (HttpParseException e) {
                upstreamReusable = false;
                upstreamFailed("invalid response body from " + upstream.describe() + ": " + e.getMessage());
                return;
            }
            int n = data.position() - start;
            if (n > 0) {
                ByteBuffer slice = data.duplicate();
                slice.position(start).limit(start + n);
                productMetrics.responseBytes.mark(n);
                writeClient(slice);
            }
            if (responseBody.complete()) {
                responseDone = true;
                if (data.hasRemaining()) {
                    // Bytes after a complete answer: the intake broke framing; never reuse this connection.
                    upstreamReusable = false;
                }
                finishExchange();
            }
        }
        observeBuffered();
        if (upstream != null && !upstreamReadSuspended && session.getScheduledWriteBytes() > ctx.settings().relay().highWaterMark()) {
            upstreamReadSuspended = true;
            upstream.suspendReading();
        }
    }

    @Override
    public synchronized void upstreamDrained() {
        if (state == State.RELAYING && !requestDone && clientReadSuspended) {
            resumeClient();
            process();
        }
    }

    @Override
    public synchronized void upstreamClosed(String cause) {
        if (state != State.RELAYING) {
            return;
        }
        if (response != null && response.framing() == ResponseHead.Framing.UNTIL_CLOSE) {
            responseDone = true;
            upstreamReusable = false;
            closeAfterResponse = true;
            finishExchange();
            return;
        }
        upstreamFailed(cause);
    }

    /** The upstream failed mid-exchange: 502 if the agent has heard nothing yet, else cut its connection. */
    private void upstreamFailed(String cause) {
        UpstreamConnection u = detachUpstream();
        boolean pooled = u != null && u.requestsServed() > 1;
        if (u != null) {
            u.close(cause);
            ctx.pool().release(u, false);
        }
        if (pooled && !upstreamSpoke && replay.intact() && attempts < ctx.settings().upstream().retries()
                && (!requestDone || IDEMPOTENT.contains(request.method()) || ctx.settings().upstream().resendUnansweredPosts())) {
            // A kept-alive connection that turned out dead before answering: send it all again, but
            // only if the intake cannot have acted on it (it never had the whole request, or doing
            // it twice is harmless). A POST it fully received gets a 502, which the agent retries.
            attempts++;
            cancelResponseTimer();
            LOG.debug("{}: pooled connection failed before answering ({}); sending again", product.id(), cause);
            connectUpstream();
            return;
        }
        productMetrics.error("upstream");
        if (!responseStarted) {
            answerError(502, cause);
        } else {
            LOG.warn("{}: answer from {} cut short: {}", product.id(), server, cause);
            closeClient();
        }
    }

    private void finishExchange() {
        cancelResponseTimer();
        replay.release();
        UpstreamConnection u = detachUpstream();
        if (u != null) {
            ctx.pool().release(u, upstreamReusable && requestDone);
        }
        if (upstreamReadSuspended) {
            upstreamReadSuspended = false;
        }
        request = null;
        response = null;
        // Between exchanges nothing has been answered: a refused next request must get its status.
        responseStarted = false;
        if (closeAfterResponse || !requestDone) {
            closeClient();
            return;
        }
        state = State.HEAD;
        resumeClient();
        process();
    }

    private UpstreamConnection detachUpstream() {
        UpstreamConnection u = upstream;
        upstream = null;
        if (u != null) {
            u.detach();
            if (upstreamReadSuspended) {
                u.resumeReading();
                upstreamReadSuspended = false;
            }
        }
        return u;
    }

    // ---------------------------------------------------------------- answers and plumbing

    /** A request broke the policy: nothing more of it reaches any intake. */
    private void refuse(int status, String reason) {
        productMetrics.error("bad-request");
        productMetrics.response(status);
        UpstreamConnection u = detachUpstream();
        if (u != null) {
            u.close("request refused: " + reason);
            ctx.pool().release(u, false);
        }
        if (responseStarted) {
            closeClient();
            return;
        }
        session.write(ErrorAnswer.of(status, product.id(), null, reason, ctx.policy().allowedMethods()));
        closeClient();
    }

    private void answerError(int status, String cause) {
        productMetrics.response(status);
        session.write(ErrorAnswer.of(status, product.id(), server == null ? null : server.toString(), cause));
        closeClient();
    }

    private void closeClient() {
        cancelResponseTimer();
        if (replay != null) {
            replay.release();
        }
        headerDeadline.stop();
        state = State.CLOSED;
        pending.clear();
        pendingBytes = 0;
        session.closeOnFlush();
    }

    private void writeClient(ByteBuffer b) {
        session.write(IoBuffer.wrap(b));
    }

    private void suspendClient() {
        if (!clientReadSuspended) {
            clientReadSuspended = true;
            session.suspendRead();
        }
    }

    private void resumeClient() {
        if (clientReadSuspended && state != State.CLOSED) {
            clientReadSuspended = false;
            session.resumeRead();
        }
    }

    private void cancelResponseTimer() {
        if (responseTimer != null) {
            responseTimer.cancel(false);
            responseTimer = null;
        }
    }

    private void observeBuffered() {
        long upstreamQueued = upstream == null ? 0 : upstream.queuedBytes();
        ctx.metrics().observeBuffered(pendingBytes + upstreamQueued + session.getScheduledWriteBytes());
    }
}

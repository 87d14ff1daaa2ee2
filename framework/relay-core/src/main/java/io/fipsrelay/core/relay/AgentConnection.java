package io.fipsrelay.core.relay;

import io.fipsrelay.core.http.BodyFramer;
import io.fipsrelay.core.http.HeadScanner;
import io.fipsrelay.core.http.HttpParseException;
import io.fipsrelay.core.http.RequestHead;
import io.fipsrelay.core.metrics.RelayMetrics;
import io.fipsrelay.core.settings.RelaySettings;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.function.Supplier;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.session.IoSession;

/**
 * One agent connection on one product port: its socket (reads, writes, pausing, closing,
 * draining) and its request heads, one {@link Exchange} at a time. The first step of the
 * pipeline: agent socket -> head -> (route, upstream, answer: the exchange).
 *
 * <p>Everything happens on the connection's worker thread: MINA's events for this session, and
 * the events of the upstream connection serving it, which lives on the same worker.
 */
final class AgentConnection {

    private enum State { HEAD, EXCHANGE, CLOSED }

    final IoSession session;
    /** Plain or TLS: every byte to and from the agent goes through it. */
    final AgentSocket socket;
    final RelayWorker worker;
    private RelaySettings.ProductSettings product;
    private final Supplier<RelayContext> contexts;
    private RelayContext ctx;
    final RelayMetrics.ProductMetrics productMetrics;
    private final HeadScanner requestScanner;
    /** Reused by every exchange of this connection for the intake's answer heads. */
    final HeadScanner responseScanner = HeadScanner.forResponses(16 * 1024, 64 * 1024);
    private final HeaderDeadline headerDeadline;
    /** Agent bytes received and not yet consumed, in order. */
    final ArrayDeque<AgentRead> pending = new ArrayDeque<>();
    long pendingBytes;
    private State state = State.HEAD;
    private boolean readSuspended;
    private boolean draining;
    private Exchange exchange;

    AgentConnection(AgentSocket socket, RelayWorker worker, RelaySettings.ProductSettings product,
                    Supplier<RelayContext> contexts) {
        this.socket = socket;
        this.session = socket.session();
        this.worker = worker;
        this.product = product;
        this.contexts = contexts;
        this.ctx = contexts.get();
        this.productMetrics = ctx.metrics().product(product.id());
        RelaySettings.Limits limits = ctx.settings().limits();
        this.requestScanner = HeadScanner.forRequests(limits.maxRequestLine(), limits.maxHeaderSection());
        this.headerDeadline = new HeaderDeadline(worker, limits.headerTimeout());
    }

    // ---------------------------------------------------------------- socket events

    void received(IoBuffer buf) {
        if (state == State.CLOSED) {
            buf.free();
            return;
        }
        AgentRead read = new AgentRead(buf);
        pending.addLast(read);
        pendingBytes += read.bytes.remaining();
        process();
    }

    /** Something written to the agent reached the socket. */
    void drained() {
        if (exchange != null) {
            exchange.agentDrained();
        }
    }

    void closed() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        headerDeadline.stop();
        if (exchange != null) {
            exchange.abandon("agent closed its connection mid-exchange");
            exchange = null;
        }
        releasePending();
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
    void drain() {
        if (state == State.CLOSED) {
            return;
        }
        draining = true;
        if (betweenRequests()) {
            close();
        } else if (exchange != null) {
            exchange.closeAfterResponse();
        }
    }

    /** Whether the connection sits between requests (idle timeouts apply only then). */
    boolean betweenRequests() {
        return state == State.HEAD && !requestScanner.started();
    }

    // ---------------------------------------------------------------- request heads

    /** Drives the connection over the bytes received so far. */
    void process() {
        while (state != State.CLOSED && !pending.isEmpty()) {
            if (state == State.HEAD) {
                if (!readHead()) {
                    return;
                }
            } else if (exchange.wantsBody()) {
                exchange.forwardBody();
                if (exchange != null && exchange.wantsBody()) {
                    return;
                }
            } else {
                // Connecting, or a pipelined request waiting for the answer to the one before.
                suspendRead();
                return;
            }
        }
    }

    private boolean readHead() {
        try {
            AgentRead read = pending.peekFirst();
            ByteBuffer b = read.bytes;
            int before = b.remaining();
            boolean complete = requestScanner.feed(b);
            pendingBytes -= before - b.remaining();
            if (!b.hasRemaining()) {
                pending.pollFirst().release();
            }
            if (!complete) {
                if (requestScanner.started()) {
                    headerDeadline.startIfStopped(this::headerTimedOut);
                }
                return true;
            }
            headerDeadline.stop();
            ctx = contexts.get();
            RequestHead request = RequestHead.parse(requestScanner.head(), ctx.policy());
            BodyFramer.checkAhead(request.bodyFramer(), () -> pending.stream().map(r -> r.bytes).iterator());
            requestScanner.reset();
            productMetrics.requests.mark();
            product = ctx.settings().product(product.id()).orElse(product);
            state = State.EXCHANGE;
            exchange = new Exchange(this, ctx, product, request, draining);
            exchange.start();
            return true;
        } catch (HttpParseException e) {
            refuse(e.status(), e.getMessage());
            return false;
        }
    }

    private void headerTimedOut() {
        if (state == State.HEAD && requestScanner.started()) {
            refuse(408, "request head not complete within " + headerDeadline.limitMillis() + " ms");
        }
    }

    /** The exchange is over: the next request may be read, or the connection closes. */
    void exchangeFinished(boolean close) {
        exchange = null;
        if (close) {
            close();
            return;
        }
        state = State.HEAD;
        resumeRead();
        process();
    }

    // ---------------------------------------------------------------- answers and plumbing

    /** A request broke the policy: nothing more of it reaches any intake. */
    void refuse(int status, String reason) {
        productMetrics.error("bad-request");
        productMetrics.response(status);
        boolean answered = false;
        if (exchange != null) {
            answered = exchange.abandon("request refused: " + reason);
            exchange = null;
        }
        if (!answered) {
            socket.writeOwned(ErrorAnswer.of(status, product.id(), null, reason, ctx.policy().allowedMethods()));
        }
        close();
    }

    /** The relay's own error answer for the exchange in progress, then the connection closes. */
    void answerError(int status, String upstream, String cause) {
        productMetrics.response(status);
        socket.writeOwned(ErrorAnswer.of(status, product.id(), upstream, cause));
        exchange = null;
        close();
    }

    /** A copy of {@code bytes} to the agent (the caller's buffer may be reused at once). */
    void writeCopy(ByteBuffer bytes) {
        socket.writeCopy(bytes);
    }

    void write(ByteBuffer bytes) {
        socket.write(bytes);
    }

    long queuedToAgent() {
        return socket.queuedBytes();
    }

    /** Closes once what was written has gone out; nothing more is read. */
    void close() {
        if (exchange != null) {
            exchange.abandon("connection closed");
            exchange = null;
        }
        headerDeadline.stop();
        state = State.CLOSED;
        releasePending();
        socket.closeOnFlush();
    }

    void suspendRead() {
        if (!readSuspended) {
            readSuspended = true;
            socket.suspendRead();
        }
    }

    void resumeRead() {
        if (readSuspended && state != State.CLOSED) {
            readSuspended = false;
            socket.resumeRead();
        }
    }

    boolean readSuspended() {
        return readSuspended;
    }

    /** The first unread agent bytes are consumed: their buffer goes back unless the replay holds it. */
    void consumedFirst() {
        pending.pollFirst().release();
    }

    private void releasePending() {
        AgentRead r;
        while ((r = pending.pollFirst()) != null) {
            r.release();
        }
        pendingBytes = 0;
    }
}

package io.fipsrelay.core.relay;

import io.fipsrelay.core.audit.ExchangeRecord;
import io.fipsrelay.core.http.BodyFramer;
import io.fipsrelay.core.http.HttpParseException;
import io.fipsrelay.core.http.RequestHead;
import io.fipsrelay.core.http.ResponseHead;
import io.fipsrelay.core.metrics.RelayMetrics;
import io.fipsrelay.core.settings.HostAndPort;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.upstream.UpstreamConnection;
import io.fipsrelay.core.upstream.UpstreamFailure;
import io.fipsrelay.core.upstream.UpstreamListener;
import io.fipsrelay.core.upstream.UpstreamRequester;
import io.fipsrelay.core.upstream.WorkerUpstreamPool;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.mina.core.buffer.IoBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request and its answer (OkHttp's {@code Exchange}): the route's servers, a connection from
 * the worker's pool, the rewritten head and the body upstream, the answer back to the agent, and
 * the decision at its end (reuse, retry, 5xx). Its transitions are the {@link Phase}s below; it is
 * driven on the agent's worker by the agent's socket, the pool's callbacks, the upstream
 * connection's events and the worker's timer.
 */
final class Exchange implements UpstreamRequester, UpstreamListener {

    private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);
    /** Plaintext of one full TLS record. */
    private static final int RECORD = 16 * 1024;

    /** CONNECTING: waiting for a connection; RELAYING: request and answer flow; DONE: over. */
    private enum Phase { CONNECTING, RELAYING, DONE }

    private final AgentConnection agent;
    private final RelayContext ctx;
    private final RelaySettings.Upstream settings;
    private final RelaySettings.ProductSettings product;
    private final RelayMetrics.ProductMetrics metrics;
    private final WorkerUpstreamPool pool;
    private final RequestHead request;
    private final BodyFramer requestBody;
    private final ReplayBuffer replay;
    private final List<HostAndPort> servers;
    private final Set<InetSocketAddress> tried = new HashSet<>(4);
    private Phase phase = Phase.CONNECTING;
    private HostAndPort server;
    private UpstreamConnection upstream;
    private int attempts;
    private UpstreamFailure lastFailure;
    private boolean requestDone;
    private boolean upstreamSpoke;
    private ResponseHead response;
    private BodyFramer responseBody;
    private boolean responseStarted;
    private boolean closeAfterResponse;
    private boolean upstreamReusable = true;
    private boolean upstreamReadSuspended;
    private long requestSentNanos;
    private RelayWorker.Timeout responseTimer;
    /** Plaintext waiting to fill a TLS record: the head and the first body bytes, or a body's tail across reads. */
    private IoBuffer record;
    /** Whether {@link #record} holds body bytes (a head alone is sent at the end of the read). */
    private boolean recordHasBody;
    /** For the audit's request record: when the exchange began, body bytes each way, and how it failed. */
    private final long startNanos = System.nanoTime();
    private long bodyBytesIn;
    private long bodyBytesOut;
    private int failedStatus;
    private String failure;
    private InetSocketAddress upstreamAddress;

    Exchange(AgentConnection agent, RelayContext ctx, RelaySettings.ProductSettings product, RequestHead request,
             boolean draining) {
        this.agent = agent;
        this.ctx = ctx;
        this.settings = ctx.settings().upstream();
        this.product = product;
        this.metrics = agent.productMetrics;
        this.pool = ctx.pool(agent.worker);
        this.request = request;
        this.requestBody = request.bodyFramer();
        this.closeAfterResponse = draining || !request.keepAlive();
        this.servers = ctx.settings().serversFor(product, request.path());
        this.server = servers.get(0);
        int replayLimit = settings.replayBuffer();
        this.replay = request.chunked() || request.contentLength() <= replayLimit
                ? new ReplayBuffer(replayLimit, ctx.replayBudget(agent.worker)) : ReplayBuffer.none();
        agent.responseScanner.reset();
    }

    void start() {
        connect();
    }

    @Override
    public String product() {
        return product.id();
    }

    /** Whether agent bytes now are this request's body to forward. */
    boolean wantsBody() {
        return phase == Phase.RELAYING && !requestDone;
    }

    /** The answer says {@code Connection: close} (if not yet sent) and the agent connection closes after it. */
    void closeAfterResponse() {
        closeAfterResponse = true;
    }

    // ---------------------------------------------------------------- route -> upstream

    /** Takes a connection for the exchange; the agent's socket is not read meanwhile. */
    private void connect() {
        phase = Phase.CONNECTING;
        agent.suspendRead();
        pool.acquire(servers, tried, this);
    }

    @Override
    public void upstreamReady(UpstreamConnection c) {
        if (phase != Phase.CONNECTING) {
            pool.release(c, true); // the agent went away meanwhile
            return;
        }
        upstream = c;
        server = c.server();
        upstreamAddress = c.address();
        if (c.viaProxy()) {
            metrics.proxiedRequests.mark();
        }
        c.attach(this);
        phase = Phase.RELAYING;
        try {
            stage(request.upstreamHead(server.hostHeader()));
            recordHasBody = false;
            if (replay.intact() && !replay.isEmpty()) {
                recordHasBody = true;
                for (ByteBuffer sent : replay.contents()) {
                    stage(sent); // a retry: what the dead connection had been sent
                }
            }
            if (requestBody.complete() && !requestDone) {
                requestComplete();
            } else if (requestDone) {
                flushRecord();
                startResponseTimer();
            }
        } catch (Exception e) {
            sendFailed(e);
            return;
        }
        requestSentNanos = System.nanoTime();
        agent.resumeRead();
        agent.process();
        if (phase == Phase.RELAYING && !requestDone && !recordHasBody) {
            sendHeadNow();
        }
    }

    @Override
    public void upstreamFailed(UpstreamFailure failure) {
        if (phase != Phase.CONNECTING) {
            return;
        }
        UpstreamFailure f = failure;
        if (RetryPolicy.tryAnotherAddress(f, attempts, settings)) {
            // Nothing was sent on that attempt: another address may do.
            attempts++;
            tried.add(f.address());
            lastFailure = f;
            LOG.debug("{}: {}; trying another address ({} of {})", product.id(), f.getMessage(), attempts, settings.retries());
            pool.acquire(servers, tried, this);
            return;
        }
        if (f.kind().equals("no-server") && f.status() == 502 && lastFailure != null) {
            f = lastFailure; // every address was tried: the agent hears the real failure
        }
        metrics.error(f.kind());
        failed(f.status(), f.getMessage());
        end();
        agent.answerError(f.status(), server.toString(), f.getMessage());
    }

    // ---------------------------------------------------------------- request body upstream

    /** Forwards the agent's unread bytes that belong to this request's body. */
    void forwardBody() {
        while (!agent.pending.isEmpty() && !requestDone) {
            AgentRead read = agent.pending.peekFirst();
            ByteBuffer b = read.bytes;
            int start = b.position();
            try {
                requestBody.consume(b);
            } catch (HttpParseException e) {
                // Part of the body already went upstream: that exchange is void on both sides.
                upstreamReusable = false;
                agent.refuse(e.status(), e.getMessage());
                return;
            }
            int n = b.position() - start;
            if (n > 0) {
                ByteBuffer slice = b.duplicate();
                slice.position(start).limit(start + n);
                agent.pendingBytes -= n;
                metrics.requestBytes.mark(n);
                bodyBytesIn += n;
                replay.append(read, slice);
                try {
                    stage(slice);
                    recordHasBody = true;
                } catch (Exception e) {
                    sendFailed(e);
                    return;
                }
            }
            if (!b.hasRemaining()) {
                agent.consumedFirst();
            }
            if (requestBody.complete()) {
                try {
                    requestComplete();
                } catch (Exception e) {
                    sendFailed(e);
                    return;
                }
            }
        }
        if (phase != Phase.RELAYING) {
            return;
        }
        observeBuffered();
        if (!requestDone && upstream.queuedBytes() > ctx.settings().relay().highWaterMark()) {
            agent.suspendRead();
        }
    }

    private void requestComplete() throws Exception {
        requestDone = true;
        flushRecord();
        requestSentNanos = System.nanoTime();
        startResponseTimer();
    }

    /**
     * Queues plaintext for the intake in full TLS records: bytes gather in {@link #record} until
     * 16 KiB or the end of the request; whole records of a large read go straight to the engine.
     */
    private void stage(ByteBuffer bytes) throws Exception {
        while (bytes.hasRemaining()) {
            if ((record == null || record.position() == 0) && bytes.remaining() >= RECORD) {
                int whole = bytes.remaining() - bytes.remaining() % RECORD;
                ByteBuffer direct = bytes.duplicate();
                direct.limit(direct.position() + whole);
                upstream.write(direct);
                bytes.position(bytes.position() + whole);
                continue;
            }
            if (record == null) {
                record = IoBuffer.allocate(RECORD);
            }
            ByteBuffer r = record.buf();
            int n = Math.min(r.remaining(), bytes.remaining());
            ByteBuffer part = bytes.duplicate();
            part.limit(part.position() + n);
            r.put(part);
            bytes.position(bytes.position() + n);
            if (!r.hasRemaining()) {
                flushRecord();
            }
        }
    }

    private void flushRecord() throws Exception {
        if (record != null && record.position() > 0) {
            ByteBuffer r = record.buf();
            r.flip();
            upstream.write(r);
            r.clear();
        }
    }

    /** A head with no body bytes behind it yet goes now (the agent may wait for it, e.g. Expect: 100-continue). */
    private void sendHeadNow() {
        try {
            flushRecord();
        } catch (Exception e) {
            sendFailed(e);
        }
    }

    private void freeRecord() {
        if (record != null) {
            record.free();
            record = null;
        }
    }

    private void startResponseTimer() {
        if (!responseStarted && response == null && responseTimer == null) {
            responseTimer = agent.worker.schedule(settings.responseTimeout().toNanos(), this::responseTimedOut);
        }
    }

    private void responseTimedOut() {
        responseTimer = null;
        if (phase != Phase.RELAYING || responseStarted || response != null) {
            return;
        }
        metrics.error("timeout");
        String cause = "no answer from " + upstream.describe() + " within " + settings.responseTimeout().toMillis() + " ms";
        UpstreamConnection u = detachUpstream();
        u.close(cause);
        pool.release(u, false);
        failed(504, cause);
        end();
        agent.answerError(504, server.toString(), cause);
    }

    // ---------------------------------------------------------------- answer to the agent

    @Override
    public void upstreamData(ByteBuffer data) {
        if (phase != Phase.RELAYING) {
            return;
        }
        cancelResponseTimer();
        if (!upstreamSpoke) {
            upstreamSpoke = true;
            replay.release(); // never sent again once the intake has started to answer
        }
        while (data.hasRemaining() && phase == Phase.RELAYING) {
            if (response == null) {
                try {
                    if (!agent.responseScanner.feed(data)) {
                        return;
                    }
                    ResponseHead head = ResponseHead.parse(agent.responseScanner.head(), request.isHead(),
                            ctx.settings().limits().maxHeaderFields());
                    agent.responseScanner.reset();
                    if (head.interim()) {
                        if (head.status() == 101) {
                            throw new HttpParseException(502, "unexpected 101 Switching Protocols");
                        }
                        if (request.minorVersion() == 1) {
                            agent.write(head.clientHead(false, false));
                        }
                        continue;
                    }
                    responseHead(head);
                } catch (HttpParseException e) {
                    agent.responseScanner.reset();
                    upstreamReusable = false;
                    failMidExchange("invalid HTTP response from " + upstream.describe() + ": " + e.getMessage());
                    return;
                }
            }
            int start = data.position();
            try {
                responseBody.consume(data);
            } catch (HttpParseException e) {
                upstreamReusable = false;
                failMidExchange("invalid response body from " + upstream.describe() + ": " + e.getMessage());
                return;
            }
            int n = data.position() - start;
            if (n > 0) {
                ByteBuffer slice = data.duplicate();
                slice.position(start).limit(start + n);
                metrics.responseBytes.mark(n);
                bodyBytesOut += n;
                agent.writeCopy(slice);
            }
            if (responseBody.complete()) {
                if (data.hasRemaining()) {
                    // Bytes after a complete answer: the intake broke framing; never reuse this connection.
                    upstreamReusable = false;
                }
                finish();
                return;
            }
        }
        observeBuffered();
        if (upstream != null && !upstreamReadSuspended && agent.queuedToAgent() > ctx.settings().relay().highWaterMark()) {
            upstreamReadSuspended = true;
            upstream.suspendReading();
        }
    }

    private void responseHead(ResponseHead head) {
        response = head;
        metrics.upstreamLatency.update(System.nanoTime() - requestSentNanos, TimeUnit.NANOSECONDS);
        metrics.response(head.status());
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
        agent.write(head.clientHead(closeAfterResponse, request.minorVersion() == 0 && !closeAfterResponse));
    }

    /** The agent's socket took what was queued: the intake may be read again. */
    void agentDrained() {
        if (upstreamReadSuspended && upstream != null && agent.queuedToAgent() < ctx.settings().relay().lowWaterMark()) {
            upstreamReadSuspended = false;
            upstream.resumeReading();
        }
    }

    @Override
    public void upstreamDrained() {
        if (phase == Phase.RELAYING && !requestDone && agent.readSuspended()) {
            agent.resumeRead();
            agent.process();
        }
    }

    @Override
    public void upstreamClosed(String cause) {
        if (phase != Phase.RELAYING) {
            return;
        }
        if (response != null && response.framing() == ResponseHead.Framing.UNTIL_CLOSE) {
            upstreamReusable = false;
            closeAfterResponse = true;
            finish();
            return;
        }
        failMidExchange(cause);
    }

    // ---------------------------------------------------------------- ends

    /** Encrypting or queuing towards the intake failed: the connection is done for. */
    private void sendFailed(Exception e) {
        failMidExchange("TLS failure sending to " + upstream.describe() + ": " + UpstreamFailure.describe(e));
    }

    /** The upstream failed mid-exchange: sent again, or 502 if the agent has heard nothing yet, else its connection is cut. */
    private void failMidExchange(String cause) {
        UpstreamConnection u = detachUpstream();
        boolean pooled = u != null && u.requestsServed() > 1;
        if (u != null) {
            u.close(cause);
            pool.release(u, false);
        }
        if (RetryPolicy.resendOnNewConnection(pooled, upstreamSpoke, replay.intact(), attempts, requestDone,
                request.method(), settings)) {
            attempts++;
            cancelResponseTimer();
            if (record != null) {
                record.buf().clear();
            }
            LOG.debug("{}: pooled connection failed before answering ({}); sending again", product.id(), cause);
            connect();
            return;
        }
        metrics.error("upstream");
        boolean answered = responseStarted;
        failed(answered ? 0 : 502, cause);
        end();
        if (!answered) {
            agent.answerError(502, server.toString(), cause);
        } else {
            LOG.warn("{}: answer from {} cut short: {}", product.id(), server, cause);
            agent.close();
        }
    }

    /** The answer is complete: the connection goes back to the pool and the agent may send the next request. */
    private void finish() {
        UpstreamConnection u = detachUpstream();
        boolean reusable = upstreamReusable && requestDone;
        boolean close = closeAfterResponse || !requestDone;
        end();
        if (u != null) {
            pool.release(u, reusable);
        }
        agent.exchangeFinished(close);
    }

    /**
     * The exchange stops where it is (request refused, agent gone, connection closing): its
     * upstream connection is closed. Returns whether the agent already heard an answer head.
     */
    boolean abandon(String cause) {
        if (phase == Phase.DONE) {
            return responseStarted;
        }
        UpstreamConnection u = detachUpstream();
        if (u != null) {
            u.close(cause);
            pool.release(u, false);
        }
        failed(0, cause);
        end();
        return responseStarted;
    }

    private void end() {
        boolean first = phase != Phase.DONE;
        phase = Phase.DONE;
        cancelResponseTimer();
        replay.release();
        freeRecord();
        if (first && ctx.audit().recordsExchanges()) {
            audit();
        }
    }

    /** How the exchange failed, for its audit record (status 0: the agent got no answer head). */
    private void failed(int status, String cause) {
        if (failure == null) {
            failedStatus = status;
            failure = cause;
        }
    }

    /** The exchange's request record: no header values, the target with api keys masked. */
    private void audit() {
        SocketAddress agentAddress = agent.session.getRemoteAddress();
        String from = agentAddress instanceof InetSocketAddress a ? UpstreamConnection.hostPort(a) : String.valueOf(agentAddress);
        int status = response != null ? response.status() : failedStatus;
        InetSocketAddress to = upstreamAddress != null ? upstreamAddress : lastFailure != null ? lastFailure.address() : null;
        ctx.audit().exchangeCompleted(ExchangeRecord.of(product.id(), from, request.method(),
                request.originTarget(), status, bodyBytesIn, bodyBytesOut, (System.nanoTime() - startNanos) / 1_000_000,
                to == null ? null : UpstreamConnection.hostPort(to), attempts + 1, failure));
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

    private void cancelResponseTimer() {
        if (responseTimer != null) {
            responseTimer.cancel();
            responseTimer = null;
        }
    }

    private void observeBuffered() {
        long upstreamQueued = upstream == null ? 0 : upstream.queuedBytes();
        ctx.metrics().observeBuffered(agent.pendingBytes + upstreamQueued + agent.queuedToAgent());
    }
}

package io.fipsrelay.core.http;

import static io.fipsrelay.core.http.FuzzChecks.byteReads;
import static io.fipsrelay.core.http.FuzzChecks.bytes;
import static io.fipsrelay.core.http.FuzzChecks.check;
import static io.fipsrelay.core.http.FuzzChecks.oneRead;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes what the relay does with an agent's bytes: {@link HeadScanner}, {@link RequestHead#parse}
 * and body framing over a stream that may hold several pipelined requests. Properties:
 * <ol>
 *   <li>the only failure is an {@link HttpParseException} carrying a request status;</li>
 *   <li>the outcome does not depend on how the bytes were split into reads;</li>
 *   <li>a request that passes yields an upstream head that passes too, with the intake's Host only,
 *       no hop-by-hop field, an origin-form target, and the same method, target and framing.</li>
 * </ol>
 * Without JAZZER_FUZZ the committed corpus (RequestParserFuzzTestInputs/) runs as regression tests.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RequestParserFuzzTest {

    /** Small limits, so that short inputs reach every one of them. */
    static final RequestPolicy POLICY = new RequestPolicy(256, 1024, 12, 4096,
            Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"));
    private static final RequestPolicy UPSTREAM_REPARSE = new RequestPolicy(1 << 20, 1 << 20, 1000, POLICY.maxBody(),
            POLICY.allowedMethods());
    private static final Set<Integer> REQUEST_STATUSES = Set.of(400, 405, 413, 414, 431, 505);
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "upgrade");
    private static final String INTAKE_HOST = "metrics.agent.ddog-gov.com";

    @FuzzTest
    // libFuzzer dictionary syntax: CR and LF are written as \x0D and \x0A.
    @DictionaryEntries({"HTTP/1.1", "HTTP/1.0", "\\x0D\\x0A", "\\x0D\\x0A\\x0D\\x0A", "Host: ", "Content-Length: ", "Transfer-Encoding: ",
            "chunked", "Connection: ", "close", "keep-alive", "GET ", "POST ", "HEAD ", "OPTIONS * ", "http://", "https://",
            "%2e", "/../", "0\\x0D\\x0A\\x0D\\x0A", ";ext=1", "Expect: 100-continue", "PRI * HTTP/2.0"})
    void requestStream(byte[] input) {
        List<String> whole = outcome(oneRead(input));
        List<String> byteByByte = outcome(byteReads(input));
        check(whole.equals(byteByByte), () -> "outcome depends on the split into reads: " + whole + " vs " + byteByByte);
    }

    /** What the relay would do with the stream: each request relayed, then how the stream ends. */
    static List<String> outcome(List<ByteBuffer> reads) {
        List<String> events = new ArrayList<>();
        HeadScanner scanner = HeadScanner.forRequests(POLICY.maxRequestLine(), POLICY.maxHeaderSection());
        RequestHead request = null;
        BodyFramer body = null;
        long bodyBytes = 0;
        try {
            for (ByteBuffer read : reads) {
                while (read.hasRemaining()) {
                    if (request == null) {
                        if (!scanner.feed(read)) {
                            break;
                        }
                        request = RequestHead.parse(scanner.head(), POLICY);
                        scanner.reset();
                        checkUpstreamHead(request);
                        body = request.bodyFramer();
                        bodyBytes = 0;
                    } else {
                        int before = read.position();
                        body.consume(read);
                        bodyBytes += read.position() - before;
                    }
                    if (body.complete()) {
                        events.add(request.method() + " " + request.originTarget() + " chunked=" + request.chunked()
                                + " length=" + request.contentLength() + " body=" + bodyBytes);
                        request = null;
                    }
                }
            }
            events.add(request != null ? "body incomplete" : scanner.started() ? "head incomplete" : "end");
        } catch (HttpParseException e) {
            check(REQUEST_STATUSES.contains(e.status()), () -> "unexpected status " + e.status() + ": " + e.getMessage());
            events.add("refused " + e.status() + " " + e.getMessage());
        }
        return events;
    }

    private static void checkUpstreamHead(RequestHead request) throws HttpParseException {
        String target = request.originTarget();
        check(target.equals("*") || (target.startsWith("/") && !target.startsWith("//")),
                () -> "target sent upstream is not origin-form: " + target);
        check(request.contentLength() <= POLICY.maxBody(), () -> "Content-Length over max-body passed");

        byte[] upstream = bytes(request.upstreamHead(INTAKE_HOST));
        HeadScanner scanner = HeadScanner.forRequests(1 << 20, 1 << 20);
        ByteBuffer in = ByteBuffer.wrap(upstream);
        check(scanner.feed(in) && !in.hasRemaining(), () -> "upstream head is not exactly one head");
        RequestHead again = RequestHead.parse(scanner.head(), UPSTREAM_REPARSE);
        check(again.method().equals(request.method()), () -> "method changed");
        check(again.originTarget().equals(target), () -> "target changed: " + again.originTarget());
        check(again.chunked() == request.chunked() && again.contentLength() == request.contentLength(),
                () -> "framing changed");
        check(again.minorVersion() == 1, () -> "upstream head is not HTTP/1.1");
        List<String> hosts = new ArrayList<>();
        for (HeaderField f : again.fields()) {
            check(!HOP_BY_HOP.contains(f.lowerName()), () -> "hop-by-hop field sent upstream: " + f.name());
            if (f.lowerName().equals("host")) {
                hosts.add(f.value());
            }
        }
        check(hosts.equals(List.of(INTAKE_HOST)), () -> "Host sent upstream: " + hosts);
    }
}

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
 * Fuzzes what the relay does with an intake's answer: {@link HeadScanner}, {@link ResponseHead#parse}
 * and body framing, for a GET and for a HEAD. Properties:
 * <ol>
 *   <li>the only failure is an {@link HttpParseException} with status 502;</li>
 *   <li>the outcome does not depend on how the bytes were split into reads;</li>
 *   <li>an answer that passes yields a head for the agent that passes too, with the same status and
 *       framing, no hop-by-hop field but the relay's own {@code Connection: close}.</li>
 * </ol>
 * Without JAZZER_FUZZ the committed corpus (ResponseParserFuzzTestInputs/) runs as regression tests.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ResponseParserFuzzTest {

    /** Small limits, so that short inputs reach them. */
    private static final int MAX_STATUS_LINE = 256;
    private static final int MAX_HEAD = 1024;
    private static final int MAX_FIELDS = 12;
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "upgrade");

    @FuzzTest
    // libFuzzer dictionary syntax: CR and LF are written as \x0D and \x0A.
    @DictionaryEntries({"HTTP/1.1 ", "HTTP/1.0 ", "200 OK", "100 Continue", "204", "304", "101", "\\x0D\\x0A", "\\x0D\\x0A\\x0D\\x0A",
            "Content-Length: ", "Transfer-Encoding: ", "chunked", "Connection: ", "close", "keep-alive", "0\\x0D\\x0A\\x0D\\x0A", ";x=y"})
    void responseStream(byte[] input) {
        for (boolean answersHead : new boolean[] {false, true}) {
            List<String> whole = outcome(oneRead(input), answersHead);
            List<String> byteByByte = outcome(byteReads(input), answersHead);
            check(whole.equals(byteByByte), () -> "outcome depends on the split into reads: " + whole + " vs " + byteByByte);
        }
    }

    /** What the relay would do with the answer: interim heads, the final one and its body, then the rest. */
    static List<String> outcome(List<ByteBuffer> reads, boolean answersHead) {
        List<String> events = new ArrayList<>();
        HeadScanner scanner = HeadScanner.forResponses(MAX_STATUS_LINE, MAX_HEAD);
        ResponseHead response = null;
        BodyFramer body = null;
        long bodyBytes = 0;
        long trailing = 0;
        boolean done = false;
        try {
            for (ByteBuffer read : reads) {
                while (read.hasRemaining()) {
                    if (done) {
                        trailing += read.remaining();
                        read.position(read.limit());
                    } else if (response == null) {
                        if (!scanner.feed(read)) {
                            break;
                        }
                        ResponseHead head = ResponseHead.parse(scanner.head(), answersHead, MAX_FIELDS);
                        scanner.reset();
                        checkClientHead(head, answersHead);
                        if (head.interim()) {
                            events.add("interim " + head.status());
                            continue;
                        }
                        response = head;
                        body = framer(head);
                    } else {
                        int before = read.position();
                        body.consume(read);
                        bodyBytes += read.position() - before;
                    }
                    if (response != null && !done && body.complete()) {
                        done = true;
                        events.add("final " + response.status() + " " + response.framing() + " body=" + bodyBytes
                                + " keepAlive=" + response.keepAlive());
                    }
                }
            }
            events.add(done ? "trailing " + trailing : response != null ? "body incomplete" : "head incomplete");
        } catch (HttpParseException e) {
            check(e.status() == 502, () -> "unexpected status " + e.status() + ": " + e.getMessage());
            events.add("refused " + e.getMessage());
        }
        return events;
    }

    /** The same choice as the relay's ClientConnection. */
    private static BodyFramer framer(ResponseHead head) {
        return switch (head.framing()) {
            case NONE -> BodyFramer.none();
            case LENGTH -> BodyFramer.length(head.contentLength());
            case CHUNKED -> BodyFramer.chunked(502);
            case UNTIL_CLOSE -> BodyFramer.untilClose();
        };
    }

    private static void checkClientHead(ResponseHead head, boolean answersHead) throws HttpParseException {
        check(head.status() >= 100 && head.status() <= 599, () -> "status out of range passed: " + head.status());
        for (boolean close : new boolean[] {false, true}) {
            byte[] toAgent = bytes(head.clientHead(close, false));
            HeadScanner scanner = HeadScanner.forResponses(1 << 20, 1 << 20);
            ByteBuffer in = ByteBuffer.wrap(toAgent);
            check(scanner.feed(in) && !in.hasRemaining(), () -> "head for the agent is not exactly one head");
            ResponseHead again = ResponseHead.parse(scanner.head(), answersHead, 1000);
            check(again.status() == head.status(), () -> "status changed");
            check(again.framing() == head.framing() && again.contentLength() == head.contentLength(),
                    () -> "framing changed: " + head.framing() + " -> " + again.framing());
            int connectionFields = 0;
            for (HeaderField f : again.fields()) {
                if (f.lowerName().equals("connection")) {
                    connectionFields++;
                    check(f.value().equals("close"), () -> "Connection passed through: " + f.value());
                } else {
                    check(!HOP_BY_HOP.contains(f.lowerName()), () -> "hop-by-hop field passed to the agent: " + f.name());
                }
            }
            int expected = close && !head.interim() ? 1 : 0;
            int found = connectionFields;
            check(found == expected, () -> "Connection fields for the agent: " + found + ", expected " + expected);
        }
    }
}

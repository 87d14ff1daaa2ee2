package io.fipsrelay.bench;

import io.fipsrelay.core.http.HeadScanner;
import io.fipsrelay.core.http.HttpParseException;
import io.fipsrelay.core.http.RequestHead;
import io.fipsrelay.core.http.RequestPolicy;
import io.fipsrelay.core.http.ResponseHead;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-request HTTP work of the relay, without any I/O: collecting and parsing the agent's
 * request head, rewriting it for the intake, parsing the intake's answer head, and following a
 * chunked body. Each benchmark does what {@code ClientConnection} does for one request.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Dorg.bouncycastle.fips.approved_only=true", "-Xms512m", "-Xmx512m"})
public class HttpHeadBenchmark {

    /**
     * A series POST as the Datadog agent sends it to a FIPS proxy port: 16 fields, 656 bytes
     * (User-Agent, DD-API-KEY, compression, agent metadata, and the usual Go client fields).
     */
    static final String AGENT_HEAD = "POST /api/v2/series?dd-api-key-check=1 HTTP/1.1\r\n"
            + "Host: localhost:9804\r\n"
            + "User-Agent: datadog-agent/7.60.0\r\n"
            + "Content-Length: 262144\r\n"
            + "Accept-Encoding: gzip\r\n"
            + "Content-Encoding: zstd\r\n"
            + "Content-Type: application/x-protobuf\r\n"
            + "Dd-Agent-Payload: 5.0.123\r\n"
            + "Dd-Agent-Version: 7.60.0\r\n"
            + "Dd-Api-Key: 0123456789abcdef0123456789abcdef\r\n"
            + "Dd-Evp-Origin: agent\r\n"
            + "Dd-Evp-Origin-Version: 7.60.0\r\n"
            + "Dd-Internal-Hostname: ip-10-1-2-3.ec2.internal\r\n"
            + "Dd-Request-Id: 3f0a4ad1-8b6e-4b2e-9b1f-5a7d6f0c2e91\r\n"
            + "Datadog-Container-Tags: image_name:datadog/agent,image_tag:7.60.0,kube_namespace:monitoring\r\n"
            + "Connection: keep-alive\r\n"
            + "Traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n"
            + "\r\n";

    /** What an intake answers: a 202 with a small JSON body, the headers of a CDN-fronted API. */
    static final String INTAKE_HEAD = "HTTP/1.1 202 Accepted\r\n"
            + "Date: Tue, 04 Mar 2025 10:15:30 GMT\r\n"
            + "Content-Type: application/json\r\n"
            + "Content-Length: 2\r\n"
            + "Connection: keep-alive\r\n"
            + "x-content-type-options: nosniff\r\n"
            + "strict-transport-security: max-age=31536000; includeSubDomains; preload\r\n"
            + "cross-origin-resource-policy: cross-origin\r\n"
            + "dd-request-id: 3f0a4ad1-8b6e-4b2e-9b1f-5a7d6f0c2e91\r\n"
            + "\r\n";

    /** The relay's defaults (reference.conf "limits"). */
    static final RequestPolicy POLICY = new RequestPolicy(8 * 1024, 64 * 1024, 100, 64L * 1024 * 1024,
            Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"));

    static final String INTAKE_HOST = "metrics.agent.ddog-gov.com";

    private ByteBuffer requestBytes;
    private ByteBuffer responseBytes;
    private HeadScanner requestScanner;
    private HeadScanner responseScanner;
    private RequestHead parsed;

    @Setup
    public void setup() throws HttpParseException {
        requestBytes = ByteBuffer.wrap(AGENT_HEAD.getBytes(StandardCharsets.US_ASCII));
        responseBytes = ByteBuffer.wrap(INTAKE_HEAD.getBytes(StandardCharsets.US_ASCII));
        // The scanners are per connection in the relay and reset between requests: the same here.
        requestScanner = HeadScanner.forRequests(POLICY.maxRequestLine(), POLICY.maxHeaderSection());
        responseScanner = HeadScanner.forResponses(16 * 1024, 64 * 1024);
        parsed = requestHead();
    }

    /** HeadScanner over the bytes as they arrive, then RequestHead.parse under the default policy. */
    @Benchmark
    public RequestHead requestHead() throws HttpParseException {
        requestBytes.rewind();
        requestScanner.reset();
        if (!requestScanner.feed(requestBytes)) {
            throw new IllegalStateException("head incomplete");
        }
        return RequestHead.parse(requestScanner.head(), POLICY);
    }

    /** The head sent to the intake: Host replaced, hop-by-hop fields dropped. */
    @Benchmark
    public ByteBuffer upstreamHead() {
        return parsed.upstreamHead(INTAKE_HOST);
    }

    /** Request head in, rewritten head out: the whole per-request head cost on the agent side. */
    @Benchmark
    public ByteBuffer requestHeadAndRewrite() throws HttpParseException {
        return requestHead().upstreamHead(INTAKE_HOST);
    }

    /** HeadScanner + ResponseHead.parse of the intake's answer. */
    @Benchmark
    public ResponseHead responseHead() throws HttpParseException {
        responseBytes.rewind();
        responseScanner.reset();
        if (!responseScanner.feed(responseBytes)) {
            throw new IllegalStateException("head incomplete");
        }
        return ResponseHead.parse(responseScanner.head(), false, 100);
    }

    /** The answer head as written back to the agent. */
    @Benchmark
    public ByteBuffer responseHeadAndClientHead() throws HttpParseException {
        return responseHead().clientHead(false, false);
    }
}

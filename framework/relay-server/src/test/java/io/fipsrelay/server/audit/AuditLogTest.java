package io.fipsrelay.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fipsrelay.core.audit.ExchangeRecord;
import io.fipsrelay.core.audit.PeerCertificate;
import io.fipsrelay.core.audit.SessionRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The audit log's JSON lines, its rotation, and that a full queue drops and counts instead of waiting. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuditLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void a_session_open_close_and_failure_and_a_request_are_one_json_line_each_with_their_fields() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        SessionRecord opened = session();
        try (AuditLog log = AuditLog.start(settings(file, 50 * 1024 * 1024, true, true), new MetricRegistry())) {
            log.sessionOpened(opened);
            log.exchangeCompleted(ExchangeRecord.of("metrics", "127.0.0.1:50123", "POST", "/api/v1/series?api_key=SECRETKEY",
                    202, 1234, 56, 17, "10.0.0.5:443", 1, null));
            log.sessionClosed(opened.closed(2000, 300, 5000, null));
            log.sessionFailed(SessionRecord.failed("logs", "agent-http-intake.logs.ddog-gov.com:443", "10.0.0.6:443", null,
                    "agent-http-intake.logs.ddog-gov.com", null, null, 12L, "TLS handshake failed: certificate expired"));
        }
        List<JsonNode> lines = lines(file);
        assertThat(lines).hasSize(4);
        JsonNode open = lines.get(0);
        assertThat(open.get("record").asText()).isEqualTo("session");
        assertThat(open.get("event").asText()).isEqualTo("open");
        assertThat(open.get("product").asText()).isEqualTo("metrics");
        assertThat(open.get("server").asText()).isEqualTo("api.ddog-gov.com:443");
        assertThat(open.get("address").asText()).isEqualTo("10.0.0.5:443");
        assertThat(open.get("sni").asText()).isEqualTo("api.ddog-gov.com");
        assertThat(open.get("protocol").asText()).isEqualTo("TLSv1.3");
        assertThat(open.get("cipher_suite").asText()).isEqualTo("TLS_AES_256_GCM_SHA384");
        assertThat(open.get("named_group").asText()).isEqualTo("secp384r1");
        assertThat(open.get("peer_subject").asText()).isEqualTo("CN=api.ddog-gov.com");
        assertThat(open.get("peer_issuer").asText()).isEqualTo("CN=Test CA");
        assertThat(open.get("peer_serial").asText()).isEqualTo("1f");
        assertThat(open.get("peer_not_after").asText()).isEqualTo("2027-01-01T00:00:00Z");
        assertThat(open.get("peer_sha256").asText()).hasSize(64);
        assertThat(open.get("revocation").asText()).isEqualTo("good (OCSP stapled)");
        assertThat(open.get("handshake_ms").asLong()).isEqualTo(42);
        assertThat(Instant.parse(open.get("time").asText())).isBefore(Instant.now().plusSeconds(1));
        assertThat(open.has("bytes_out")).as("no close fields on open").isFalse();

        JsonNode request = lines.get(1);
        assertThat(request.get("record").asText()).isEqualTo("request");
        assertThat(request.get("path").asText()).isEqualTo("/api/v1/series?api_key=***");
        assertThat(request.get("status").asInt()).isEqualTo(202);
        assertThat(request.get("bytes_in").asLong()).isEqualTo(1234);
        assertThat(request.get("bytes_out").asLong()).isEqualTo(56);
        assertThat(request.get("duration_ms").asLong()).isEqualTo(17);
        assertThat(request.get("upstream").asText()).isEqualTo("10.0.0.5:443");
        assertThat(request.get("attempts").asInt()).isEqualTo(1);
        assertThat(request.get("agent").asText()).isEqualTo("127.0.0.1:50123");

        JsonNode close = lines.get(2);
        assertThat(close.get("event").asText()).isEqualTo("close");
        assertThat(close.get("bytes_out").asLong()).isEqualTo(2000);
        assertThat(close.get("bytes_in").asLong()).isEqualTo(300);
        assertThat(close.get("duration_ms").asLong()).isEqualTo(5000);

        JsonNode failed = lines.get(3);
        assertThat(failed.get("event").asText()).isEqualTo("failed");
        assertThat(failed.get("error").asText()).isEqualTo("TLS handshake failed: certificate expired");
        assertThat(Files.readString(file)).doesNotContain("SECRETKEY");
    }

    @Test
    void requests_false_writes_session_records_only() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        try (AuditLog log = AuditLog.start(settings(file, 1024 * 1024, true, false), new MetricRegistry())) {
            log.exchangeCompleted(ExchangeRecord.of("metrics", "127.0.0.1:1", "GET", "/", 200, 1, 1, 1, null, 1, null));
            log.sessionOpened(session());
        }
        assertThat(lines(file)).extracting(n -> n.get("record").asText()).containsExactly("session");
    }

    @Test
    void the_file_rotates_at_its_size_and_keeps_max_history_rotated_files() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        AuditSettings small = new AuditSettings(Optional.of(file), false, 2048, 3, true, true, 8192);
        try (AuditLog log = AuditLog.start(small, new MetricRegistry())) {
            for (int i = 0; i < 200; i++) {
                log.exchangeCompleted(ExchangeRecord.of("metrics", "127.0.0.1:" + i, "POST", "/api/v1/series", 202, 100, 10, 1,
                        "10.0.0.5:443", 1, null));
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("audit.jsonl", "audit.jsonl.1.gz", "audit.jsonl.2.gz", "audit.jsonl.3.gz");
        }
        assertThat(Files.size(file)).isLessThan(2048 + 1024);
    }

    @Test
    void a_full_queue_drops_records_and_counts_them_without_making_the_caller_wait() throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        CountDownLatch release = new CountDownLatch(1);
        List<ILoggingEvent> written = new ArrayList<>();
        AppenderBase<ILoggingEvent> stuckDisk = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                written.add(event);
            }
        };
        stuckDisk.setContext(context);
        stuckDisk.start();
        Counter dropped = new Counter();
        CountingAsyncAppender async = new CountingAsyncAppender(dropped);
        async.setContext(context);
        async.setQueueSize(2);
        async.addAppender(stuckDisk);
        async.start();
        ch.qos.logback.classic.Logger logger = context.getLogger("audit");

        async.doAppend(new LoggingEvent("x", logger, ch.qos.logback.classic.Level.INFO, "first", null, null));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (async.getNumberOfElementsInQueue() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // the writer has taken the first record and is stuck writing it
        }
        for (int i = 0; i < 10; i++) {
            async.doAppend(new LoggingEvent("x", logger, ch.qos.logback.classic.Level.INFO, "more " + i, null, null));
        }

        assertThat(dropped.getCount()).isEqualTo(8);
        release.countDown();
        async.stop();
        assertThat(written).hasSize(3);
    }

    @Test
    void a_file_that_cannot_be_written_stops_the_start_instead_of_losing_records_silently() throws Exception {
        Path notAFolder = Files.writeString(dir.resolve("plain-file"), "x");
        AuditSettings settings = settings(notAFolder.resolve("audit.jsonl"), 1024 * 1024, true, false);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AuditLog.start(settings, new MetricRegistry()))
                .isInstanceOf(IOException.class);
    }

    @Test
    void a_relative_file_is_below_the_install_folder_or_under_systemd_in_its_logs_directory() {
        Path home = Path.of("/opt/fips-relay");
        assertThat(io.fipsrelay.server.OperatorSettingsAccess.relativeAuditFile(Path.of("log/audit.jsonl"), home, java.util.Map.of()))
                .isEqualTo(Path.of("/opt/fips-relay/log/audit.jsonl"));
        assertThat(io.fipsrelay.server.OperatorSettingsAccess.relativeAuditFile(Path.of("log/audit.jsonl"), home,
                java.util.Map.of("LOGS_DIRECTORY", "/var/log/fips-relay"))).isEqualTo(Path.of("/var/log/fips-relay/audit.jsonl"));
    }

    static SessionRecord session() throws Exception {
        return new SessionRecord(Instant.now(), "metrics", "api.ddog-gov.com:443", "10.0.0.5:443", null, "api.ddog-gov.com",
                "TLSv1.3", "TLS_AES_256_GCM_SHA384", "secp384r1",
                new PeerCertificate("CN=api.ddog-gov.com", "CN=Test CA", "1f", Instant.parse("2027-01-01T00:00:00Z"), "ab".repeat(32)),
                List.of(), "good (OCSP stapled)", 42L, null, null, null, null);
    }

    private static AuditSettings settings(Path file, long size, boolean sessions, boolean requests) {
        return new AuditSettings(Optional.of(file), false, size, 14, sessions, requests, 8192);
    }

    private static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }
}

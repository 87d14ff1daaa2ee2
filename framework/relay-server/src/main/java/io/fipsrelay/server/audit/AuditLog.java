package io.fipsrelay.server.audit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import com.codahale.metrics.Counter;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.fipsrelay.core.audit.AuditTrail;
import io.fipsrelay.core.audit.ExchangeRecord;
import io.fipsrelay.core.audit.SessionRecord;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import net.logstash.logback.composite.loggingevent.LogstashMarkersJsonProvider;
import net.logstash.logback.encoder.LoggingEventCompositeJsonEncoder;
import net.logstash.logback.marker.Markers;

/**
 * The audit log: one JSON line per upstream TLS session event and, when asked, per relayed
 * exchange (NIST SP 800-53 AU-3: what, when, where, source, outcome, identity).
 *
 * <p>Written by logback in a logger context of its own, so the operator's logback.xml and the
 * relay's log never receive or reroute audit records: a rolling file appender (size-triggered,
 * a fixed window of rotated files, gzip) or the console, behind an async appender whose bounded
 * queue never blocks the relay's threads; a full queue drops records and counts them in
 * {@code fips-relay.audit.dropped}. The JSON comes from logstash-logback-encoder writing only the
 * record's own fields. Records carry no header values at all, and request paths come redacted
 * ({@link io.fipsrelay.core.audit.RedactedTarget}).
 */
public final class AuditLog implements AuditTrail, AutoCloseable {

    private final AuditSettings settings;
    private final LoggerContext context;
    private final Logger logger;
    private final Counter dropped;
    private final Meter written;

    private AuditLog(AuditSettings settings, LoggerContext context, Logger logger, Counter dropped, Meter written) {
        this.settings = settings;
        this.context = context;
        this.logger = logger;
        this.dropped = dropped;
        this.written = written;
    }

    /**
     * Starts writing as configured (nothing is opened when the audit is off); throws when the file
     * cannot be written, so that a relay never runs believing it keeps records it does not.
     */
    public static AuditLog start(AuditSettings settings, MetricRegistry metrics) throws java.io.IOException {
        if (settings.enabled() && settings.file().isPresent()) {
            requireWritable(settings.file().get().toAbsolutePath());
        }
        Counter dropped = metrics.counter("fips-relay.audit.dropped");
        Meter written = metrics.meter("fips-relay.audit.records");
        LoggerContext context = new LoggerContext();
        context.setName("fips-relay-audit");
        // A context of its own has no MDC adapter unless given one (logback 1.5); records carry no MDC.
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        Logger logger = context.getLogger("fips-relay.audit");
        if (settings.enabled()) {
            Appender<ILoggingEvent> target = settings.stdout() ? console(context) : rollingFile(context, settings);
            CountingAsyncAppender async = new CountingAsyncAppender(dropped);
            async.setContext(context);
            async.setName("audit-async");
            async.setQueueSize(settings.queueSize());
            async.addAppender(target);
            async.start();
            logger.addAppender(async);
            logger.setAdditive(false);
            logger.setLevel(ch.qos.logback.classic.Level.INFO);
        } else {
            logger.setLevel(ch.qos.logback.classic.Level.OFF);
        }
        return new AuditLog(settings, context, logger, dropped, written);
    }

    private static void requireWritable(Path file) throws java.io.IOException {
        java.nio.file.Files.createDirectories(file.getParent());
        if (java.nio.file.Files.exists(file) ? !java.nio.file.Files.isWritable(file) : !java.nio.file.Files.isWritable(file.getParent())) {
            throw new java.nio.file.AccessDeniedException(file.toString(), null, "not writable for this user");
        }
    }

    private static LoggingEventCompositeJsonEncoder encoder(LoggerContext context) {
        LoggingEventCompositeJsonEncoder encoder = new LoggingEventCompositeJsonEncoder();
        encoder.setContext(context);
        // Only the record's own fields: no logger, thread, level or message of logback's.
        encoder.getProviders().addProvider(new LogstashMarkersJsonProvider());
        encoder.start();
        return encoder;
    }

    private static Appender<ILoggingEvent> console(LoggerContext context) {
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("audit-stdout");
        console.setEncoder(encoder(context));
        console.start();
        return console;
    }

    private static Appender<ILoggingEvent> rollingFile(LoggerContext context, AuditSettings settings) {
        Path file = settings.file().orElseThrow().toAbsolutePath();
        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(context);
        appender.setName("audit-file");
        appender.setFile(file.toString());
        appender.setAppend(true);
        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(context);
        rolling.setParent(appender);
        rolling.setFileNamePattern(file + ".%i.gz");
        rolling.setMinIndex(1);
        rolling.setMaxIndex(settings.maxHistory());
        rolling.start();
        SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(context);
        trigger.setMaxFileSize(new FileSize(settings.maxFileSize()));
        // Look at the size at every record (one stat on the writer thread), not every 60 ms as
        // logback does by default, so a burst cannot carry the file far past max-file-size.
        trigger.setCheckIncrement(ch.qos.logback.core.util.Duration.buildByMilliseconds(0));
        trigger.start();
        appender.setRollingPolicy(rolling);
        appender.setTriggeringPolicy(trigger);
        appender.setEncoder(encoder(context));
        appender.start();
        return appender;
    }

    public AuditSettings settings() {
        return settings;
    }

    /** Records dropped because the queue was full, since start. */
    public long dropped() {
        return dropped.getCount();
    }

    @Override
    public void sessionOpened(SessionRecord session) {
        session("open", session);
    }

    @Override
    public void sessionClosed(SessionRecord session) {
        session("close", session);
    }

    @Override
    public void sessionFailed(SessionRecord session) {
        session("failed", session);
    }

    private void session(String event, SessionRecord s) {
        if (!settings.sessions() || !settings.enabled()) {
            return;
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("time", s.time().toString());
        r.put("record", "session");
        r.put("event", event);
        put(r, "product", s.product());
        put(r, "server", s.server());
        put(r, "address", s.address());
        put(r, "via_proxy", s.viaProxy());
        put(r, "sni", s.sni());
        put(r, "protocol", s.protocol());
        put(r, "cipher_suite", s.cipherSuite());
        put(r, "named_group", s.namedGroup());
        if (s.peer() != null) {
            r.put("peer_subject", s.peer().subject());
            r.put("peer_issuer", s.peer().issuer());
            r.put("peer_serial", s.peer().serial());
            r.put("peer_not_after", s.peer().notAfter().toString());
            r.put("peer_sha256", s.peer().sha256());
        }
        put(r, "revocation", s.revocation());
        put(r, "handshake_ms", s.handshakeMillis());
        put(r, "bytes_out", s.bytesOut());
        put(r, "bytes_in", s.bytesIn());
        put(r, "duration_ms", s.durationMillis());
        put(r, "error", s.error());
        write(r);
    }

    @Override
    public boolean recordsExchanges() {
        return settings.requests() && settings.enabled();
    }

    @Override
    public void exchangeCompleted(ExchangeRecord e) {
        if (!settings.requests() || !settings.enabled()) {
            return;
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("time", e.time().toString());
        r.put("record", "request");
        put(r, "product", e.product());
        put(r, "agent", e.agentAddress());
        put(r, "method", e.method());
        put(r, "path", e.path());
        r.put("status", e.status());
        r.put("bytes_in", e.bytesIn());
        r.put("bytes_out", e.bytesOut());
        r.put("duration_ms", e.durationMillis());
        put(r, "upstream", e.upstreamAddress());
        r.put("attempts", e.attempts());
        put(r, "error", e.error());
        write(r);
    }

    private void write(Map<String, Object> record) {
        logger.info(Markers.appendEntries(record), "");
        written.mark();
    }

    private static void put(Map<String, Object> record, String field, Object value) {
        if (value != null) {
            record.put(field, value);
        }
    }

    /** Writes what is queued (up to logback's flush time) and closes the file. */
    @Override
    public void close() {
        context.stop();
    }
}

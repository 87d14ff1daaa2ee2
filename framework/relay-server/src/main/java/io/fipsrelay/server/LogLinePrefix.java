package io.fipsrelay.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * The start of each log line ({@code %prefix} in logback.xml): the time, or, when stderr is the
 * systemd journal, the line's syslog priority ({@code <3>} error .. {@code <7>} debug) instead.
 * The journal stamps every line itself, so a second time would only repeat it, and the priority
 * prefix makes {@code journalctl -p warning} work (systemd's SyslogLevelPrefix=, on by default).
 */
public final class LogLinePrefix extends ClassicConverter {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX ")
            .withZone(ZoneId.systemDefault());

    private final boolean journal;

    public LogLinePrefix() {
        this(JournalStream.isStderr(System.getenv("JOURNAL_STREAM")));
    }

    LogLinePrefix(boolean journal) {
        this.journal = journal;
    }

    @Override
    public String convert(ILoggingEvent event) {
        if (!journal) {
            return TIME.format(Instant.ofEpochMilli(event.getTimeStamp()));
        }
        Level level = event.getLevel();
        int priority = level.isGreaterOrEqual(Level.ERROR) ? 3 : level.isGreaterOrEqual(Level.WARN) ? 4
                : level.isGreaterOrEqual(Level.INFO) ? 6 : 7;
        return "<" + priority + ">";
    }

    /**
     * systemd sets JOURNAL_STREAM to the device and inode ("dev:ino") of the journal stream it
     * connects a service's stdout/stderr to. As the documentation asks, it counts only when stderr
     * is that stream still: a program started from inside a service with its stderr redirected
     * inherits the variable but does not write to the journal.
     */
    static final class JournalStream {

        private JournalStream() {
        }

        static boolean isStderr(String variable) {
            if (variable == null || variable.isBlank()) {
                return false;
            }
            try {
                Path stderr = Path.of("/proc/self/fd/2");
                long dev = ((Number) Files.getAttribute(stderr, "unix:dev")).longValue();
                long ino = ((Number) Files.getAttribute(stderr, "unix:ino")).longValue();
                return matches(variable, dev, ino);
            } catch (Exception e) {
                return true; // no /proc to compare with: trust the variable
            }
        }

        static boolean matches(String variable, long dev, long ino) {
            String[] parts = variable.strip().split(":");
            try {
                return parts.length == 2 && Long.parseLong(parts[0]) == dev && Long.parseLong(parts[1]) == ino;
            } catch (NumberFormatException e) {
                return false;
            }
        }
    }
}

package io.fipsrelay.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LogLinePrefixTest {

    static LoggingEvent event(Level level) {
        LoggerContext context = new LoggerContext();
        LoggingEvent e = new LoggingEvent("test", context.getLogger("x"), level, "m", null, null);
        e.setTimeStamp(1_764_400_000_123L);
        return e;
    }

    @Test
    void outside_the_journal_a_line_starts_with_its_time_to_the_millisecond() {
        assertThat(new LogLinePrefix(false).convert(event(Level.INFO)))
                .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.123(Z|[+-]\\d{2}:\\d{2}) ");
    }

    @Test
    void in_the_journal_a_line_starts_with_its_syslog_priority_and_no_time() {
        LogLinePrefix journal = new LogLinePrefix(true);
        assertThat(journal.convert(event(Level.ERROR))).isEqualTo("<3>");
        assertThat(journal.convert(event(Level.WARN))).isEqualTo("<4>");
        assertThat(journal.convert(event(Level.INFO))).isEqualTo("<6>");
        assertThat(journal.convert(event(Level.DEBUG))).isEqualTo("<7>");
    }

    @Test
    void journal_stream_counts_only_when_it_names_stderrs_device_and_inode() {
        assertThat(LogLinePrefix.JournalStream.matches("8:12345", 8, 12345)).isTrue();
        assertThat(LogLinePrefix.JournalStream.matches("8:12345", 8, 999)).isFalse();
        assertThat(LogLinePrefix.JournalStream.matches("garbage", 8, 12345)).isFalse();
        assertThat(LogLinePrefix.JournalStream.isStderr(null)).isFalse();
        assertThat(LogLinePrefix.JournalStream.isStderr("")).isFalse();
        // This test's stderr is not a journal stream with device 0 and inode 1.
        assertThat(LogLinePrefix.JournalStream.isStderr("0:1")).isFalse();
    }
}

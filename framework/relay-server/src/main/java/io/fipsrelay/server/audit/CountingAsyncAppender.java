package io.fipsrelay.server.audit;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.codahale.metrics.Counter;
import java.util.concurrent.locks.ReentrantLock;

/**
 * logback's async appender that never blocks and counts what it drops. logback's own drops a
 * record silently when its queue is full ({@code neverBlock}); here the capacity is looked at and
 * the record queued under one short lock, so that with only the writer thread taking records out,
 * a record is either queued or counted as dropped, never lost uncounted. The lock is held for a
 * queue offer, never for I/O.
 */
final class CountingAsyncAppender extends AsyncAppender {

    private final Counter dropped;
    private final ReentrantLock offering = new ReentrantLock();

    CountingAsyncAppender(Counter dropped) {
        this.dropped = dropped;
        setNeverBlock(true);
        // 0: never discard by level when the queue fills; every record is equal and is either kept or counted.
        setDiscardingThreshold(0);
        setIncludeCallerData(false);
    }

    @Override
    protected void append(ILoggingEvent event) {
        offering.lock();
        try {
            if (getRemainingCapacity() == 0) {
                dropped.inc();
                return;
            }
            super.append(event);
        } finally {
            offering.unlock();
        }
    }
}

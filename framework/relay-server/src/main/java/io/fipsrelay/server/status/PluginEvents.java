package io.fipsrelay.server.status;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The last plugin events, oldest dropped first: enough to mark a day of operator changes on the
 * dashboard's chart without growing with a jar that is refused again and again.
 */
public final class PluginEvents {

    static final int KEPT = 200;

    private final Deque<PluginEvent> events = new ArrayDeque<>();

    public synchronized void add(PluginEvent event) {
        if (events.size() == KEPT) {
            events.removeFirst();
        }
        events.addLast(event);
    }

    /** Oldest first. */
    public synchronized List<PluginEvent> list() {
        return List.copyOf(events);
    }
}

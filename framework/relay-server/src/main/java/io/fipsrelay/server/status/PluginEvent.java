package io.fipsrelay.server.status;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Locale;

/**
 * A change of the running relay's plugins, as the dashboard marks it on the throughput chart.
 *
 * @param jar the jar's file name
 * @param detail the products started or stopped, or the reason a jar was refused
 */
public record PluginEvent(long atMillis, Kind kind, String plugin, String jar, String detail) {

    public enum Kind {
        /** A jar dropped into the running relay's folder loaded and its products listen. */
        HOT_PLUGGED,
        /** A jar taken out of the folder: its products stopped listening and the plugin unloaded. */
        REMOVED,
        /** A jar that could not be loaded or served (the reason is the detail). */
        REFUSED;

        /** "hot-plugged", "removed", "refused" in /status.json. */
        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public static PluginEvent hotPlugged(long atMillis, String plugin, String jar, List<String> products) {
        return new PluginEvent(atMillis, Kind.HOT_PLUGGED, plugin, jar, String.join(", ", products));
    }

    public static PluginEvent removed(long atMillis, String plugin, String jar, List<String> products) {
        return new PluginEvent(atMillis, Kind.REMOVED, plugin, jar, String.join(", ", products));
    }

    public static PluginEvent refused(long atMillis, String plugin, String jar, String reason) {
        return new PluginEvent(atMillis, Kind.REFUSED, plugin, jar, reason);
    }
}

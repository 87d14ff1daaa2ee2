package io.fipsrelay.core.settings;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Supplier;

/**
 * Reads keys below {@code fips-relay}, each with its type and, for numbers, sizes and durations,
 * its range from {@link Bounds}; a wrong value becomes a problem naming the key path, and the read
 * answers null so the caller carries on collecting.
 */
public final class SettingReader {

    private final Config c;
    private final Bounds bounds;
    private final List<String> problems;

    /**
     * @param c the configuration below fips-relay
     * @param problems where problems are collected, to be reported all at once
     */
    public SettingReader(Config c, Bounds bounds, List<String> problems) {
        this.c = c;
        this.bounds = bounds;
        this.problems = problems;
    }

    public Config config() {
        return c;
    }

    /** Reads with any getter, turning a missing key or a wrong type into a problem. */
    public <T> T get(String key, Supplier<T> read) {
        try {
            return read.get();
        } catch (ConfigException.Missing e) {
            problem(key, "missing");
        } catch (ConfigException e) {
            problem(key, stripOrigin(e.getMessage()));
        }
        return null;
    }

    public void problem(String key, String text) {
        problems.add(SettingsLoader.ROOT + "." + key + ": " + text);
    }

    /** How many problems were found so far: a block is built only if none was added while reading it. */
    public int mark() {
        return problems.size();
    }

    public boolean cleanSince(int mark) {
        return problems.size() == mark;
    }

    public String string(String key) {
        return get(key, () -> c.getString(key).trim());
    }

    public Boolean bool(String key) {
        return get(key, () -> c.getBoolean(key));
    }

    /** A whole number in its range (every count range fits an int). */
    public Integer count(String key) {
        Bound b = bounds.require(key);
        Number n = get(key, () -> c.getNumber(key));
        if (n instanceof Double d && d != Math.rint(d)) {
            // getLong would quietly drop the fraction: 2.5 retries are no retry count.
            problem(key, n + " is not a whole number in " + b.range());
            return null;
        }
        Long v = n == null ? null : get(key, () -> c.getLong(key));
        return within(key, b, v) ? Math.toIntExact(v) : null;
    }

    /** A size in bytes, in its range. */
    public Long size(String key) {
        Bound b = bounds.require(key);
        String written = get(key, () -> String.valueOf(c.getValue(key).unwrapped()).trim());
        if (written != null && written.startsWith("-")) {
            // Typesafe Config refuses a negative size with its own wording; the operator gets the range.
            problem(key, written + " is not in " + b.range());
            return null;
        }
        Long v = written == null ? null : get(key, () -> c.getBytes(key));
        return within(key, b, v) ? v : null;
    }

    /** A size whose range fits an int (buffers held in one array). */
    public Integer intSize(String key) {
        Long v = size(key);
        return v == null ? null : Math.toIntExact(v);
    }

    public Duration duration(String key) {
        Bound b = bounds.require(key);
        Duration d = get(key, () -> c.getDuration(key));
        return d != null && within(key, b, d.toNanos()) ? d : null;
    }

    /** Named by the key as read (products.metrics.port), not the table's wildcard. */
    private boolean within(String key, Bound b, Long value) {
        if (value == null) {
            return false;
        }
        b.check(value).ifPresent(text -> problem(key, text));
        return b.check(value).isEmpty();
    }

    /** A non-empty list of values each of which is allowed, duplicates dropped. */
    public List<String> subsetOf(String key, List<String> allowed) {
        List<String> values = get(key, () -> c.getStringList(key));
        if (values == null) {
            return null;
        }
        if (values.isEmpty()) {
            problem(key, "must not be empty");
        }
        for (String v : values) {
            if (!allowed.contains(v)) {
                problem(key, v + " is not allowed (FIPS profile: " + allowed + ")");
            }
        }
        return List.copyOf(new LinkedHashSet<>(values));
    }

    private static String stripOrigin(String message) {
        int i = message.indexOf(": ");
        return message.startsWith("String:") || message.startsWith("file:") || message.contains(".conf:")
                || message.startsWith("environment")
                ? (i >= 0 ? message.substring(i + 2) : message) : message;
    }
}

package io.fipsrelay.core.settings;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Optional;

/**
 * The allowed range of one numeric, size or duration key, and the sentence an operator reads when
 * a value falls outside it ({@code fips-relay.upstream.max-idle-per-host: -5 is not in 0..4096}).
 *
 * @param key the path below {@code fips-relay}, {@code *} standing for a product id
 * @param kind how the value is written and read
 * @param min the smallest allowed value: a count, bytes, or nanoseconds
 * @param max the largest allowed value, in the same unit
 */
public record Bound(String key, Kind kind, long min, long max) {

    /** How a key's value is written in HOCON and read. */
    public enum Kind {
        /** A whole number ({@code 32}). */
        COUNT,
        /** A size ({@code 64KiB}); {@code min} and {@code max} in bytes. */
        SIZE,
        /** A duration ({@code 10s}); {@code min} and {@code max} in nanoseconds. */
        DURATION
    }

    public Bound {
        if (min > max) {
            throw new IllegalArgumentException(key + ": empty range " + min + ".." + max);
        }
    }

    public static Bound count(String key, long min, long max) {
        return new Bound(key, Kind.COUNT, min, max);
    }

    public static Bound size(String key, String min, String max) {
        return new Bound(key, Kind.SIZE, Sizes.parse(min), Sizes.parse(max));
    }

    public static Bound duration(String key, String min, String max) {
        return new Bound(key, Kind.DURATION, Durations.parse(min).toNanos(), Durations.parse(max).toNanos());
    }

    /** The range as the operator writes values: {@code 0..4096}, {@code 100ms..2m}, {@code 1KiB..64MiB}. */
    public String range() {
        return format(min) + ".." + format(max);
    }

    /** What is wrong with this value (in the kind's unit), {@code -5 is not in 0..4096}, or empty when it is in range. */
    public Optional<String> check(long value) {
        return value < min || value > max ? Optional.of(format(value) + " is not in " + range()) : Optional.empty();
    }

    /** A value of this kind in the shortest exact unit, as HOCON accepts it back. */
    public String format(long value) {
        return switch (kind) {
            case COUNT -> Long.toString(value);
            case SIZE -> Sizes.format(value);
            case DURATION -> Durations.format(Duration.ofNanos(value));
        };
    }

    /** Sizes in the binary units reference.conf uses; read by Typesafe Config, written here (it has no writer). */
    static final class Sizes {
        private static final String[] UNITS = {"TiB", "GiB", "MiB", "KiB"};
        private static final long[] FACTORS = {1L << 40, 1L << 30, 1L << 20, 1L << 10};

        static long parse(String text) {
            return ConfigFactory.parseString("v = " + text).getBytes("v");
        }

        static String format(long bytes) {
            for (int i = 0; i < UNITS.length; i++) {
                if (bytes != 0 && bytes % FACTORS[i] == 0) {
                    return bytes / FACTORS[i] + UNITS[i];
                }
            }
            return bytes + "B";
        }

        private Sizes() {
        }
    }

    /** Durations in HOCON's short units (d, h, m, s, ms, us, ns); read by Typesafe Config, written here. */
    static final class Durations {
        private static final String[] UNITS = {"d", "h", "m", "s", "ms", "us", "ns"};
        private static final long[] NANOS = {86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L,
            1_000_000_000L, 1_000_000L, 1_000L, 1L};

        static Duration parse(String text) {
            return ConfigFactory.parseString("v = " + text).getDuration("v");
        }

        static String format(Duration d) {
            long nanos = d.toNanos();
            for (int i = 0; i < UNITS.length; i++) {
                if (nanos != 0 && nanos % NANOS[i] == 0) {
                    return nanos / NANOS[i] + UNITS[i];
                }
            }
            return "0s";
        }

        private Durations() {
        }
    }
}

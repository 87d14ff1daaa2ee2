package io.fipsrelay.testkit;

import java.time.Duration;
import java.util.Objects;

/**
 * A way a {@link RecordingIntake} can misbehave, to test how the relay copes with a broken intake.
 * Set one at build time ({@link RecordingIntake.Builder#fault}) or while running
 * ({@link RecordingIntake#fault(Fault)}); {@link #NONE} is normal service. Immutable.
 *
 * <p>Connection-level faults ({@link Mode#REFUSE}, {@link Mode#TLS_FAILURE}, the down half of
 * {@link Mode#FLAP}) take effect like a restarted server would: keep-alive connections idle between
 * requests are closed at once, an exchange in progress is finished and answered with
 * "Connection: close". Otherwise a client with a warm connection pool would never meet them.
 * Request-level faults ({@link Mode#RESET_MID_REQUEST}, {@link Mode#STALL}, {@link Mode#SLOW_READER},
 * {@link Mode#ANSWER_5XX}) apply to every request whose head arrives while they are set, on new
 * and reused connections alike.
 */
public final class Fault {

    /** What the intake does; see the constants of {@link Fault} for the details of each. */
    public enum Mode {
        NONE, REFUSE, RESET_MID_REQUEST, STALL, SLOW_READER, ANSWER_5XX, TLS_FAILURE, FLAP
    }

    /** The rate of {@link #SLOW_READER}: slow enough to fill TCP windows, fast enough for small test bodies. */
    public static final long DEFAULT_SLOW_READER_BYTES_PER_SECOND = 64 * 1024;

    /** The half period of {@link #FLAP}. */
    public static final Duration DEFAULT_FLAP_PERIOD = Duration.ofSeconds(1);

    /** The shortest flap half period; below it the timer, not the fault, would be under test. */
    public static final Duration MIN_FLAP_PERIOD = Duration.ofMillis(20);

    /** Normal service. */
    public static final Fault NONE = new Fault(Mode.NONE, 0, Duration.ZERO);

    /**
     * The port is really closed: connecting fails with "connection refused" (the kernel answers the
     * SYN with RST). The port number stays reserved and is listened on again when the fault is
     * cleared. Nothing is recorded or counted for refused attempts (the intake never sees them).
     */
    public static final Fault REFUSE = new Fault(Mode.REFUSE, 0, Duration.ZERO);

    /**
     * TLS completes and the request head is read, then about half of the body (half of its first
     * 64 KiB; a chunked body up to 32 KiB or its end), then the TCP connection is reset (SO_LINGER 0
     * and close) without an answer. Not recorded; counted in {@link RecordingIntake#incompleteRequests()}
     * and {@link RecordingIntake#resetRequests()}.
     */
    public static final Fault RESET_MID_REQUEST = new Fault(Mode.RESET_MID_REQUEST, 0, Duration.ZERO);

    /**
     * The whole request is read and recorded as delivered, then never answered: the connection is held
     * open, its input discarded, until the client leaves or the intake closes. Counted in
     * {@link RecordingIntake#stalledRequests()}; no status is counted for it.
     */
    public static final Fault STALL = new Fault(Mode.STALL, 0, Duration.ZERO);

    /** {@link #slowReader(long)} at {@link #DEFAULT_SLOW_READER_BYTES_PER_SECOND}. */
    public static final Fault SLOW_READER = slowReader(DEFAULT_SLOW_READER_BYTES_PER_SECOND);

    /**
     * Every request is read and recorded as delivered, then answered 503 with a JSON body (the
     * responder is not asked); the connection stays usable. Counted under 503 in
     * {@link RecordingIntake#answeredByStatus()}.
     */
    public static final Fault ANSWER_5XX = new Fault(Mode.ANSWER_5XX, 0, Duration.ZERO);

    /**
     * TCP connections are accepted but every TLS handshake is aborted: the ClientHello is read and
     * answered with a fatal handshake_failure alert, then the connection is closed. Nothing is recorded;
     * counted in {@link RecordingIntake#failedHandshakes()}.
     */
    public static final Fault TLS_FAILURE = new Fault(Mode.TLS_FAILURE, 0, Duration.ZERO);

    /** {@link #flap(Duration)} with {@link #DEFAULT_FLAP_PERIOD}. */
    public static final Fault FLAP = flap(DEFAULT_FLAP_PERIOD);

    /** The 503 that {@link #ANSWER_5XX} sends, in the intake's own error format. */
    static final CannedResponse SERVICE_UNAVAILABLE = CannedResponse.json(503,
            "{\"errors\":[\"Service Unavailable (intake fault ANSWER_5XX)\"]}");

    private final Mode mode;
    private final long bytesPerSecond;
    private final Duration flapPeriod;

    private Fault(Mode mode, long bytesPerSecond, Duration flapPeriod) {
        this.mode = mode;
        this.bytesPerSecond = bytesPerSecond;
        this.flapPeriod = flapPeriod;
    }

    /**
     * Request bodies are read no faster than {@code bytesPerSecond}, so senders see a full TCP window
     * (the run-time switchable form of {@link RecordingIntake.Builder#readBytesPerSecond}). Requests are
     * recorded and answered normally. The rate is fixed when a request's head arrives.
     */
    public static Fault slowReader(long bytesPerSecond) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("bytesPerSecond must be > 0: " + bytesPerSecond);
        }
        return new Fault(Mode.SLOW_READER, bytesPerSecond, Duration.ZERO);
    }

    /**
     * Normal service for {@code period}, then {@link #REFUSE} for {@code period}, and so on, driven by a
     * daemon timer; {@link RecordingIntake#isUp()} tells the current half. Starts up.
     */
    public static Fault flap(Duration period) {
        Objects.requireNonNull(period, "period");
        if (period.compareTo(MIN_FLAP_PERIOD) < 0) {
            throw new IllegalArgumentException("flap period must be at least " + MIN_FLAP_PERIOD + ": " + period);
        }
        return new Fault(Mode.FLAP, 0, period);
    }

    public Mode mode() {
        return mode;
    }

    /** The read rate of a {@link Mode#SLOW_READER} fault; 0 for the others. */
    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** How long each up and each down half of a {@link Mode#FLAP} fault lasts; zero for the others. */
    public Duration flapPeriod() {
        return flapPeriod;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof Fault)) {
            return false;
        }
        Fault that = (Fault) other;
        return mode == that.mode && bytesPerSecond == that.bytesPerSecond && flapPeriod.equals(that.flapPeriod);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, bytesPerSecond, flapPeriod);
    }

    @Override
    public String toString() {
        switch (mode) {
            case SLOW_READER:
                return "SLOW_READER(" + bytesPerSecond + " B/s)";
            case FLAP:
                return "FLAP(" + flapPeriod.toMillis() + " ms)";
            default:
                return mode.name();
        }
    }
}

package io.fipsrelay.core.relay;

import io.fipsrelay.testkit.KeyType;
import io.fipsrelay.testkit.RecordingIntake;
import io.fipsrelay.testkit.ServerIdentity;
import io.fipsrelay.testkit.TestPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A relay core in front of a recording TLS intake, as a JUnit 5 extension on a static field:
 * {@code @RegisterExtension static final RelayBehindIntake relay = RelayBehindIntake.started(b -> b, "")}.
 * A test CA is made before the class's tests and the intake's certificate comes from it; the relay
 * trusts only that CA and sends every *.ddog-gov.com name to 127.0.0.1.
 *
 * <p>{@link #started} runs one intake and relay for the whole class ({@link #intake()}, {@link #port()});
 * {@link #perTest} runs none, and each test starts its own with {@link #start}, stopped after that test.
 * (Lives beside {@link RelayUnderTest} in relay-core's tests: relay-testkit must not depend on relay-core.)
 */
public final class RelayBehindIntake implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    /** The names the intake certificate covers by default: every intake of the metrics product. */
    private static final String[] ALL_INTAKE_NAMES = {"*.ddog-gov.com", "*.agent.ddog-gov.com"};

    private final UnaryOperator<RecordingIntake.Builder> classIntake;
    private final String classSettings;
    private final String[] certificateNames;
    private final Deque<AutoCloseable> startedByTest = new ArrayDeque<>();
    private Path dir;
    private ServerIdentity identity;
    private Path ca;
    private RelayUnderTest.WithIntake forClass;

    private RelayBehindIntake(UnaryOperator<RecordingIntake.Builder> classIntake, String classSettings, String[] certificateNames) {
        this.classIntake = classIntake;
        this.classSettings = classSettings;
        this.certificateNames = certificateNames.clone();
    }

    /** One intake (built with {@code intakeOptions}) and one relay (with {@code settings} added) for the class. */
    public static RelayBehindIntake started(UnaryOperator<RecordingIntake.Builder> intakeOptions, String settings) {
        return new RelayBehindIntake(intakeOptions, settings, ALL_INTAKE_NAMES);
    }

    /** The CA only: each test starts what it needs with {@link #start} or {@link #relayTo}. */
    public static RelayBehindIntake perTest() {
        return new RelayBehindIntake(null, null, ALL_INTAKE_NAMES);
    }

    /** The same, with an intake certificate for these names only (other intake names then fail verification). */
    public RelayBehindIntake certificateFor(String... names) {
        return new RelayBehindIntake(classIntake, classSettings, names);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("relay-behind-intake");
        TestPki pki = TestPki.create("fips-relay test CA");
        identity = pki.issue(KeyType.EC_P256, certificateNames);
        ca = pki.writeCaPem(dir.resolve("ca.pem"));
        if (classIntake != null) {
            forClass = startPair(classIntake, intake -> classSettings);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        closeAll(startedByTest);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (forClass != null) {
            forClass.close();
            forClass = null;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The class's intake ({@link #started} only). */
    public RecordingIntake intake() {
        return classPair().intake();
    }

    /** The class's relay ({@link #started} only). */
    public RelayUnderTest relay() {
        return classPair().relay();
    }

    /** The class's relay's metrics product port ({@link #started} only). */
    public int port() {
        return relay().port();
    }

    /** An intake and a relay for this test, stopped after it; {@code settings} may name the intake's port. */
    public RelayUnderTest.WithIntake start(UnaryOperator<RecordingIntake.Builder> intakeOptions,
                                           Function<RecordingIntake, String> settings) throws Exception {
        RelayUnderTest.WithIntake pair = startPair(intakeOptions, settings);
        startedByTest.push(pair);
        return pair;
    }

    public RelayUnderTest.WithIntake start(UnaryOperator<RecordingIntake.Builder> intakeOptions, String settings) throws Exception {
        return start(intakeOptions, intake -> settings);
    }

    /** A relay for this test sending to {@code upstreamPort} where no intake of ours listens (refusals, bad names). */
    public RelayUnderTest relayTo(int upstreamPort, String settings) throws Exception {
        RelayUnderTest relay = RelayUnderTest.start(ca, upstreamPort, settings);
        startedByTest.push(relay);
        return relay;
    }

    private RelayUnderTest.WithIntake startPair(UnaryOperator<RecordingIntake.Builder> intakeOptions,
                                                Function<RecordingIntake, String> settings) throws Exception {
        RecordingIntake intake = intakeOptions.apply(RecordingIntake.builder(identity)).start();
        try {
            return new RelayUnderTest.WithIntake(intake, RelayUnderTest.start(ca, intake.port(), settings.apply(intake)));
        } catch (Exception | Error e) {
            intake.close();
            throw e;
        }
    }

    private RelayUnderTest.WithIntake classPair() {
        if (forClass == null) {
            throw new IllegalStateException("no relay for the class: use RelayBehindIntake.started(...) on a static field");
        }
        return forClass;
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        RuntimeException first = null;
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException r ? r : new UncheckedIOException(new IOException(e));
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}

package io.fipsrelay.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.Set;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The commands that answer a question (check-config, plugins, agent-config, self-test) print their
 * answer alone: the log (plugin loading, module start) only with {@code --verbose}, warnings and
 * errors always. {@code run} and {@code diagnose} log as configured.
 */
final class CommandLogging {

    static final Set<String> ANSWERING = Set.of("check-config", "plugins", "agent-config", "self-test");

    private CommandLogging() {
    }

    /** The {@code --verbose} option of the answering commands. */
    static final class VerboseOption {
        @CommandLine.Option(names = "--verbose", description = "Also print the log (plugin loading, FIPS module start) on stderr.")
        boolean verbose;
    }

    /**
     * Picocli's execution strategy: the usual one, with the log quieted while an answering command
     * runs (and restored after, for a caller that runs commands in its own JVM, as tests do).
     */
    static int execute(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult sub = parsed.subcommand();
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        Level before = root.getLevel();
        boolean quiet = sub != null && ANSWERING.contains(sub.commandSpec().name()) && !sub.hasMatchedOption("--verbose")
                && (before == null || !before.isGreaterOrEqual(Level.WARN));
        if (quiet) {
            root.setLevel(Level.WARN);
        }
        try {
            return new CommandLine.RunLast().execute(parsed);
        } finally {
            if (quiet) {
                root.setLevel(before);
            }
        }
    }
}

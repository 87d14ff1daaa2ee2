package io.fipsrelay.core.settings;

import java.util.List;

/** The configuration was refused; each problem names the key path and the reason. */
public final class SettingsException extends Exception {
    private final List<String> problems;

    public SettingsException(List<String> problems) {
        super("invalid configuration:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}

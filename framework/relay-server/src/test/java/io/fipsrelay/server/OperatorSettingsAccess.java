package io.fipsrelay.server;

import java.nio.file.Path;
import java.util.Map;

/** Opens OperatorSettings' package-private path rule to the audit tests in their own package. */
public final class OperatorSettingsAccess {

    private OperatorSettingsAccess() {
    }

    public static Path relativeAuditFile(Path relative, Path home, Map<String, String> environment) {
        return OperatorSettings.relativeAuditFile(relative, home, environment);
    }
}

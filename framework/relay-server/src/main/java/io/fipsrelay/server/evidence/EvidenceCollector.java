package io.fipsrelay.server.evidence;

import io.fipsrelay.api.Product;
import io.fipsrelay.core.fips.FipsReport;
import io.fipsrelay.core.settings.RelaySettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.jcajce.provider.BouncyCastleFipsProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * Gathers the static part of the compliance report: the module as loaded, the jars around it, the
 * platform, the TLS profile and plugins as configured, the configuration file. All of it can be
 * read without a running relay; {@link EvidenceDocument.Live} is added by whoever knows it.
 */
public final class EvidenceCollector {

    /** A plugin as the report lists it: id, jar and products. */
    public record PluginJar(String id, Path jar, List<Product> products) {
    }

    private final FipsReport fips;
    private final EvidenceDocument.Module module;
    private final List<JarFacts> companions;
    private final EvidenceDocument.Platform platform;

    /** Hashes the module's and companion jars once: they do not change under a running process. */
    public EvidenceCollector(FipsReport fips) {
        this.fips = fips;
        JarFacts moduleJar = JarFacts.of(BouncyCastleFipsProvider.class);
        String version = fips.moduleVersion();
        ValidatedModule validated = ValidatedModule.forVersion(version);
        this.module = new EvidenceDocument.Module(validated.name(), version, validated.cmvpCertificate(),
                validated.policyModuleVersion(), validated.standard(), moduleJar.path(), moduleJar.sha256(),
                fips.approvedOnly(), fips.selfTestStatus(), fips.nativeVariant(), fips.nativeFeatures());
        this.companions = List.of(named("bctls-fips", JarFacts.of(BouncyCastleJsseProvider.class)),
                named("bcpkix-fips", JarFacts.of(X509CertificateHolder.class)),
                named("bcutil-fips", JarFacts.of(org.bouncycastle.asn1.cmc.BodyPartID.class)));
        this.platform = platform();
    }

    /** The whole report. */
    public EvidenceDocument collect(RelaySettings settings, List<PluginJar> plugins, Optional<Path> configFile,
                                    String revocation, String producedBy, EvidenceDocument.Live live) {
        RelaySettings.Tls tls = settings.tls();
        String trust = "system".equals(tls.caFileSetting()) ? "system bundle " + tls.caFile() : "PEM bundle " + tls.caFile();
        EvidenceDocument.TlsProfile profile = new EvidenceDocument.TlsProfile(tls.protocols(), tls.cipherSuites(),
                tls.namedGroups(), trust, tls.caFile() == null ? "none" : JarFacts.sha256(tls.caFile()), revocation);
        List<EvidenceDocument.Plugin> pluginList = new ArrayList<>();
        for (PluginJar p : plugins) {
            pluginList.add(new EvidenceDocument.Plugin(p.id(), p.jar().toString(), JarFacts.sha256(p.jar()),
                    p.products().stream().map(Product::id).toList()));
        }
        EvidenceDocument.Configuration configuration = configFile
                .map(f -> new EvidenceDocument.Configuration(f.toAbsolutePath().toString(), JarFacts.sha256(f)))
                .orElse(new EvidenceDocument.Configuration("(none: defaults)", "none"));
        return new EvidenceDocument(Instant.now().toString(), relayVersion(), producedBy, module, companions, platform,
                profile, pluginList, configuration, live);
    }

    public FipsReport fips() {
        return fips;
    }

    private static JarFacts named(String artifact, JarFacts facts) {
        return new JarFacts(facts.path(), artifact + " " + facts.version(), facts.sha256());
    }

    static String relayVersion() {
        String v = EvidenceCollector.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }

    private static EvidenceDocument.Platform platform() {
        return new EvidenceDocument.Platform(System.getProperty("java.vendor"), System.getProperty("java.version"),
                System.getProperty("java.runtime.name") + " " + System.getProperty("java.runtime.version"),
                System.getProperty("os.name"), kernel(), System.getProperty("os.arch"), distribution());
    }

    /** The kernel release: /proc/sys/kernel/osrelease on Linux, os.version elsewhere. */
    private static String kernel() {
        try {
            Path release = Path.of("/proc/sys/kernel/osrelease");
            if (Files.isReadable(release)) {
                return Files.readString(release).trim();
            }
        } catch (IOException e) {
            // Fall back to what the JVM says.
        }
        return System.getProperty("os.version");
    }

    /** PRETTY_NAME of /etc/os-release, when there is one. */
    private static String distribution() {
        try {
            Path osRelease = Path.of("/etc/os-release");
            if (Files.isReadable(osRelease)) {
                for (String line : Files.readAllLines(osRelease)) {
                    if (line.startsWith("PRETTY_NAME=")) {
                        return line.substring("PRETTY_NAME=".length()).replace("\"", "").trim();
                    }
                }
            }
        } catch (IOException e) {
            // Not every system has it.
        }
        return "unknown";
    }
}

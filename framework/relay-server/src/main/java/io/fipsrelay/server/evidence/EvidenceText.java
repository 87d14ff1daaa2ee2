package io.fipsrelay.server.evidence;

import io.fipsrelay.core.audit.NegotiatedParameters;
import java.util.ArrayList;
import java.util.List;

/** The compliance report as an operator reads it on a terminal (the JSON form has the same facts). */
public final class EvidenceText {

    private EvidenceText() {
    }

    public static List<String> lines(EvidenceDocument d) {
        List<String> out = new ArrayList<>();
        out.add("fips-relay compliance evidence, " + d.generatedAt() + " (fips-relay " + d.relayVersion() + ", " + d.producedBy() + ")");
        out.add("");
        EvidenceDocument.Module m = d.module();
        out.add("Cryptographic module");
        row(out, "module", m.name());
        row(out, "standard", m.standard());
        row(out, "CMVP certificate", m.cmvpCertificate());
        row(out, "version loaded", m.version());
        row(out, "version in policy", m.policyModuleVersion() + (m.policyModuleVersion().equals(m.version()) ? ""
                : " (the loaded jar is a patched release of it)"));
        row(out, "jar", m.jarPath());
        row(out, "jar SHA-256", m.jarSha256());
        row(out, "approved-only mode", m.approvedOnly() ? "yes" : "NO");
        row(out, "self-tests", m.selfTest());
        row(out, "native variant", m.nativeVariant() + " [" + m.nativeFeatures() + "]");
        for (JarFacts j : d.companionJars()) {
            row(out, "companion", j.version() + "  " + j.path() + "  sha256 " + j.sha256());
        }
        out.add("");
        out.add("Platform");
        EvidenceDocument.Platform p = d.platform();
        row(out, "JVM", p.jvmVendor() + " " + p.jvmVersion() + " (" + p.jvmRuntime() + ")");
        row(out, "OS", p.os() + " " + p.arch() + ", kernel " + p.kernel() + ", " + p.distribution());
        out.add("");
        out.add("TLS profile (configured)");
        EvidenceDocument.TlsProfile t = d.tls();
        row(out, "protocols", String.join(", ", t.protocols()));
        row(out, "cipher suites", String.join(", ", t.cipherSuites()));
        row(out, "named groups", String.join(", ", t.namedGroups()));
        row(out, "trust anchors", t.trustSource() + " (sha256 " + t.trustBundleSha256() + ")");
        row(out, "revocation", t.revocation());
        out.add("");
        out.add("Negotiated since start (" + d.live().source() + ")");
        if (d.live().negotiated() == null) {
            out.add("  (no figures: no running relay was read)");
        } else if (d.live().negotiated().isEmpty()) {
            out.add("  (no TLS session yet)");
        } else {
            out.add(String.format("  %-24s %-8s %-42s %-16s %s", "PRODUCT", "PROTOCOL", "CIPHER SUITE", "GROUP", "SESSIONS"));
            for (NegotiatedParameters.Negotiated n : d.live().negotiated()) {
                out.add(String.format("  %-24s %-8s %-42s %-16s %d", n.product(), n.protocol(), n.cipherSuite(), n.namedGroup(),
                        n.sessions()));
            }
        }
        out.add("");
        out.add("Plugins loaded");
        if (d.plugins().isEmpty()) {
            out.add("  (none)");
        }
        for (EvidenceDocument.Plugin plugin : d.plugins()) {
            row(out, plugin.id(), plugin.jar() + "  sha256 " + plugin.sha256() + "  products " + plugin.products());
        }
        out.add("");
        out.add("Configuration");
        row(out, "file", d.configuration().file());
        row(out, "SHA-256", d.configuration().sha256());
        return out;
    }

    private static void row(List<String> out, String label, String value) {
        out.add(String.format("  %-20s %s", label, value));
    }
}

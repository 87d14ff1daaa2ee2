package io.fipsrelay.server;

import io.fipsrelay.core.settings.RelaySettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What {@code fips-relay agent-config} prints: the {@code datadog.yaml} {@code fips:} block and
 * the equivalent {@code DD_FIPS_*} variables that send the agent's products to this relay, with a
 * YAML comment for every place where the agent and this configuration would not meet.
 */
final class AgentConfigSnippet {

    /** Listen addresses that accept on every interface: the agent cannot connect "to" them. */
    private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::", "[::]", "*");

    private AgentConfigSnippet() {
    }

    static List<String> lines(RelaySettings settings) {
        int start = settings.listen().portRangeStart();
        String listen = settings.listen().address();
        String address = WILDCARDS.contains(listen) ? "127.0.0.1" : listen;
        List<String> lines = new ArrayList<>();
        RelaySettings.AgentTls tls = settings.listen().tls();
        if (tls.enabled()) {
            lines.add("# datadog.yaml: the agent sends each product to fips-relay on " + address
                    + " (port_range_start + the product's offset) over TLS (listen.tls is on); fips-relay adds the FIPS TLS to the intakes.");
            lines.add("# the agent must trust the CA that issued " + tls.certFile() + " (listen.tls.cert-file), and local_address");
            lines.add("# must be a name or address in that certificate: add the CA to the agent host's trust store");
            lines.add("# (Debian/Ubuntu: /usr/local/share/ca-certificates/fips-relay-ca.crt + update-ca-certificates;");
            lines.add("# RHEL: /etc/pki/ca-trust/source/anchors/ + update-ca-trust; a container: mount it and set SSL_CERT_FILE).");
            if (tls.mutual()) {
                lines.add("# note: listen.tls.client-ca-file is set, so only clients presenting a certificate from it are served;"
                        + " the agent's fips: block has no client-certificate setting.");
            }
        } else {
            lines.add("# datadog.yaml: the agent sends each product to fips-relay on " + address
                    + " (port_range_start + the product's offset), in plain HTTP; fips-relay adds the FIPS TLS.");
            lines.add("# https: false is required while listen.tls is off (the agent's own default is true).");
        }
        if (!address.equals(listen)) {
            lines.add("# note: listen.address " + listen + " accepts on every interface; local_address is where the agent"
                    + " reaches the relay: 127.0.0.1 on the same host, else this host's address.");
        }
        for (RelaySettings.ProductSettings p : settings.products().values().stream()
                .sorted(java.util.Comparator.comparingInt(p -> p.product().portOffset())).toList()) {
            int agentPort = start + p.product().portOffset();
            if (!p.enabled()) {
                lines.add("# warning: product " + p.id() + " is disabled here: the agent's " + p.id()
                        + " data sent to port " + agentPort + " will not be relayed.");
            } else if (p.port() != agentPort) {
                lines.add("# warning: product " + p.id() + " listens on " + p.port() + " but the agent sends it to "
                        + agentPort + " (port_range_start + " + p.product().portOffset() + ").");
            }
        }
        lines.add("fips:");
        lines.add("  enabled: true");
        lines.add("  port_range_start: " + start);
        lines.add("  https: " + tls.enabled());
        if (tls.enabled()) {
            lines.add("  tls_verify: true");
        }
        lines.add("  local_address: " + yamlScalar(address));
        lines.add("");
        lines.add("# or the same as environment variables of the agent:");
        lines.add("DD_FIPS_ENABLED=true");
        lines.add("DD_FIPS_PORT_RANGE_START=" + start);
        lines.add("DD_FIPS_HTTPS=" + tls.enabled());
        if (tls.enabled()) {
            lines.add("DD_FIPS_TLS_VERIFY=true");
        }
        lines.add("DD_FIPS_LOCAL_ADDRESS=" + address);
        return lines;
    }

    /** Quoted unless plainly a host name or IPv4 address ("::1" would not read back as a string). */
    private static String yamlScalar(String value) {
        return value.matches("[A-Za-z0-9][A-Za-z0-9.-]*") ? value : "\"" + value + "\"";
    }
}

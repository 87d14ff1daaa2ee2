package io.fipsrelay.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fipsrelay.api.Product;
import io.fipsrelay.core.fips.FipsBootstrap;
import io.fipsrelay.core.settings.RelaySettings;
import io.fipsrelay.core.settings.SettingsException;
import io.fipsrelay.core.settings.SettingsLoader;
import io.fipsrelay.testkit.KeyType;
import io.fipsrelay.testkit.ServerIdentity;
import io.fipsrelay.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code listen.tls} files are refused at start with their key path: a missing or unreadable file by
 * the loader, an expired certificate, a key that is not the certificate's and a file without a
 * PKCS#8 key by the context, read through the FIPS module.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FipsServerTlsContextTest {

    static TestPki pki;

    @TempDir
    Path dir;

    @BeforeAll
    static void fips() throws Exception {
        FipsBootstrap.install(FipsBootstrap.ProviderOrder.APPENDED);
        pki = TestPki.create("listener files CA");
    }

    static RelaySettings load(String hocon) throws SettingsException {
        return SettingsLoader.withCoreDefaults().environment(Map.of())
                .addProducts(List.of(Product.of("metrics", 1, "metrics.agent")), com.typesafe.config.ConfigFactory.empty())
                .load(SettingsLoader.parseString(hocon));
    }

    static String tls(Path cert, Path key, String more) {
        return "fips-relay.listen.tls { enabled = true, cert-file = \"" + cert + "\", key-file = \"" + key + "\"" + more + " }";
    }

    @Test
    void by_default_the_listeners_speak_plain_http() throws Exception {
        assertThat(load("").listen().tls().enabled()).isFalse();
    }

    @Test
    void enabled_without_certificate_and_key_names_both_keys() {
        assertThatThrownBy(() -> load("fips-relay.listen.tls.enabled = true"))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("fips-relay.listen.tls.cert-file: required when listen.tls.enabled is true")
                .hasMessageContaining("fips-relay.listen.tls.key-file: required when listen.tls.enabled is true");
    }

    @Test
    void a_missing_file_is_refused_with_its_key_path() {
        Path missing = dir.resolve("nope.pem");
        assertThatThrownBy(() -> load(tls(missing, missing, ", client-ca-file = \"" + missing + "\"")))
                .hasMessageContaining("fips-relay.listen.tls.cert-file: cannot read the PEM certificate chain " + missing)
                .hasMessageContaining("fips-relay.listen.tls.key-file: cannot read the PEM private key " + missing)
                .hasMessageContaining("fips-relay.listen.tls.client-ca-file: cannot read the PEM CA bundle " + missing);
    }

    @Test
    void a_matching_certificate_and_key_make_a_context_that_shows_the_certificate() throws Exception {
        ServerIdentity id = pki.issue(KeyType.EC_P256, "localhost");
        RelaySettings s = load(tls(id.writeChainPem(dir.resolve("c.pem")), id.writeKeyPem(dir.resolve("k.pem")), ""));
        FipsServerTlsContext context = FipsServerTlsContext.create(s.listen().tls(), s.tls());
        assertThat(context.certificate()).isEqualTo(id.certificate());
        assertThat(context.mutual()).isFalse();
        assertThat(context.newServerEngine().getEnabledCipherSuites()).containsExactlyElementsOf(s.tls().cipherSuites());
    }

    @Test
    void an_rsa_certificate_and_key_are_accepted_too() throws Exception {
        ServerIdentity id = pki.issue(KeyType.RSA_2048, "localhost");
        RelaySettings s = load(tls(id.writeChainPem(dir.resolve("c.pem")), id.writeKeyPem(dir.resolve("k.pem")), ""));
        assertThat(FipsServerTlsContext.create(s.listen().tls(), s.tls()).certificate()).isEqualTo(id.certificate());
    }

    @Test
    void a_key_of_another_certificate_is_refused_naming_both_files() throws Exception {
        ServerIdentity id = pki.issue(KeyType.EC_P256, "localhost");
        ServerIdentity other = pki.issue(KeyType.EC_P256, "localhost");
        Path cert = id.writeChainPem(dir.resolve("c.pem"));
        Path key = other.writeKeyPem(dir.resolve("k.pem"));
        RelaySettings s = load(tls(cert, key, ""));
        assertThatThrownBy(() -> FipsServerTlsContext.create(s.listen().tls(), s.tls()))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessageStartingWith("fips-relay.listen.tls.key-file: " + key + " does not belong to the certificate")
                .hasMessageContaining("fips-relay.listen.tls.cert-file " + cert);
    }

    @Test
    void an_expired_certificate_is_refused() throws Exception {
        ServerIdentity id = pki.issueExpired(KeyType.EC_P256, "localhost");
        RelaySettings s = load(tls(id.writeChainPem(dir.resolve("c.pem")), id.writeKeyPem(dir.resolve("k.pem")), ""));
        assertThatThrownBy(() -> FipsServerTlsContext.create(s.listen().tls(), s.tls()))
                .hasMessageStartingWith("fips-relay.listen.tls.cert-file: ")
                .hasMessageContaining("is not valid now");
    }

    @Test
    void a_key_file_without_a_pkcs8_key_is_refused_with_the_conversion_command() throws Exception {
        ServerIdentity id = pki.issue(KeyType.EC_P256, "localhost");
        Path cert = id.writeChainPem(dir.resolve("c.pem"));
        RelaySettings s = load(tls(cert, cert, ""));
        assertThatThrownBy(() -> FipsServerTlsContext.create(s.listen().tls(), s.tls()))
                .hasMessageStartingWith("fips-relay.listen.tls.key-file: " + cert + " holds no unencrypted PKCS#8 key")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    }

    @Test
    void a_client_ca_file_that_holds_no_certificate_is_refused() throws Exception {
        ServerIdentity id = pki.issue(KeyType.EC_P256, "localhost");
        Path empty = Files.writeString(dir.resolve("empty.pem"), "nothing here\n");
        RelaySettings s = load(tls(id.writeChainPem(dir.resolve("c.pem")), id.writeKeyPem(dir.resolve("k.pem")),
                ", client-ca-file = \"" + empty + "\""));
        assertThatThrownBy(() -> FipsServerTlsContext.create(s.listen().tls(), s.tls()))
                .hasMessageStartingWith("fips-relay.listen.tls.client-ca-file: " + empty);
    }

    @Test
    void out_of_range_handshake_settings_are_refused() {
        assertThatThrownBy(() -> load("fips-relay.listen.tls { handshake-timeout = 10ms, max-handshakes = 0 }"))
                .hasMessageContaining("fips-relay.listen.tls.handshake-timeout")
                .hasMessageContaining("fips-relay.listen.tls.max-handshakes");
    }
}

package io.fipsrelay.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FipsTlsProfileTest {

    @TempDir
    Path root;

    Path bundle(String path) throws Exception {
        Path file = root.resolve(path.substring(1));
        Files.createDirectories(file.getParent());
        return Files.writeString(file, "-----BEGIN CERTIFICATE-----\n");
    }

    @Test
    void system_trust_is_debians_bundle_on_debian() throws Exception {
        Path debian = bundle("/etc/ssl/certs/ca-certificates.crt");
        bundle("/etc/ssl/cert.pem");
        assertThat(FipsTlsProfile.systemCaBundle(root)).isEqualTo(debian);
    }

    @Test
    void system_trust_is_the_extracted_pem_bundle_on_rhel() throws Exception {
        Path rhel = bundle("/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem");
        bundle("/etc/pki/tls/certs/ca-bundle.crt");
        assertThat(FipsTlsProfile.systemCaBundle(root)).isEqualTo(rhel);
    }

    @Test
    void system_trust_is_ca_bundle_pem_on_suse() throws Exception {
        Path suse = bundle("/etc/ssl/ca-bundle.pem");
        assertThat(FipsTlsProfile.systemCaBundle(root)).isEqualTo(suse);
    }

    @Test
    void without_any_bundle_the_debian_path_is_named_so_the_error_says_what_is_missing() {
        assertThat(FipsTlsProfile.systemCaBundle(root)).isEqualTo(root.resolve("etc/ssl/certs/ca-certificates.crt"));
    }
}

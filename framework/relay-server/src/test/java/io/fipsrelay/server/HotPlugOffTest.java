package io.fipsrelay.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fipsrelay.core.fips.FipsBootstrap;
import io.fipsrelay.testkit.FreePorts;
import io.fipsrelay.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** With fips-relay.plugins.hot-plug = false the plugins present at start are the plugins until the next start. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HotPlugOffTest {

    @TempDir
    Path dir;

    @Test
    void a_jar_dropped_in_is_not_loaded_when_hot_plug_is_off() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        TestPlugins.oneProduct(plugins.resolve("alpha.jar"), "alpha", "alpha", 1, "alpha-intake");
        Path beta = TestPlugins.oneProduct(dir.resolve("beta.jar"), "beta", "beta", 2, "beta-intake");
        int base = FreePorts.pickRange(3);
        Path conf = Files.writeString(dir.resolve("fips-relay.conf"), """
                fips-relay {
                  listen.port-range-start = %d
                  tls.ca-file = "%s"
                  plugins { hot-plug = false, scan-interval = 50ms }
                }
                """.formatted(base, TestPki.create("hot plug off CA").writeCaPem(dir.resolve("ca.pem"))));
        try (LogCapture log = new LogCapture();
             RelayServer server = RelayServer.start(RelayServer.Options.of(Optional.of(conf), plugins)
                     .withProviderOrder(FipsBootstrap.ProviderOrder.APPENDED).withEnvironment(Map.of()))) {
            TestPlugins.copyInto(beta, plugins);
            Thread.sleep(500); // ten scan intervals, had there been a scanner

            assertThat(Await.accepting(base + 1)).isTrue();
            assertThat(Await.accepting(base + 2)).isFalse();
            assertThat(server.catalog().plugins()).extracting(PluginCatalog.LoadedPlugin::pluginId).containsExactly("alpha");
            assertThat(log.lines()).noneMatch(l -> l.contains("watching"));
        }
    }
}

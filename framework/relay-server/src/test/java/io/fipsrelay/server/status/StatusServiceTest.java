package io.fipsrelay.server.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fipsrelay.core.relay.BindFailure;
import io.fipsrelay.testkit.FreePorts;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What status.enabled and status.jmx switch, and a status port that cannot be had. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StatusServiceTest {

    @TempDir
    Path dir;

    private static MBeanServer mbeans() {
        return ManagementFactory.getPlatformMBeanServer();
    }

    @Test
    void jmx_publishes_every_metric_under_the_fips_relay_domain_until_the_relay_stops() throws Exception {
        ObjectName requests;
        try (RelayWithStatus relay = RelayWithStatus.start(dir, "fips-relay.status.jmx = true")) {
            relay.metrics().product("metrics").requests.mark(3);
            requests = mbeans().queryNames(new ObjectName("fips-relay:name=fips-relay.metrics.requests,*"), null)
                    .stream().findFirst().orElseThrow(() -> new AssertionError("no MBean for fips-relay.metrics.requests"));
            assertThat(mbeans().getAttribute(requests, "Count")).isEqualTo(3L);
            assertThat(mbeans().queryNames(new ObjectName("fips-relay:name=fips-relay.fips.approved-only,*"), null)).hasSize(1);
        }
        assertThat(mbeans().isRegistered(requests)).isFalse();
    }

    @Test
    void with_jmx_off_nothing_is_published() throws Exception {
        try (RelayWithStatus relay = RelayWithStatus.start(dir, "fips-relay.status.jmx = false")) {
            assertThat(mbeans().queryNames(new ObjectName("fips-relay:*"), null)).isEmpty();
        }
    }

    @Test
    void with_the_status_port_disabled_nothing_listens_on_it() throws Exception {
        try (RelayWithStatus relay = RelayWithStatus.start(dir, "fips-relay.status.enabled = false")) {
            assertThat(relay.status.address()).isEmpty();
            int port = relay.settings.listen().statusPort();
            assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                    .isInstanceOf(ConnectException.class);
            assertThat(relay.status.history().capacity()).isEqualTo(180);
        }
    }

    @Test
    void a_taken_status_port_is_a_bind_failure_that_names_it_and_the_way_out() throws Exception {
        int base = FreePorts.pickRange(6);
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), base));
            assertThatThrownBy(() -> RelayWithStatus.start(dir, "fips-relay.listen.port-range-start = " + base))
                    .isInstanceOf(BindFailure.class)
                    .hasMessageContaining("cannot bind 127.0.0.1:" + base + " for the status port")
                    .hasMessageContaining("fips-relay.status.enabled = false");
        }
    }
}

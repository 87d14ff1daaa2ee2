package io.fipsrelay.core.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** upstream.proxy.no-proxy: which intake hosts skip the proxy. */
@Timeout(30)
class NoProxyMatcherTest {

    static Stream<Arguments> table() {
        return Stream.of(
                // entry, host, reached directly?
                Arguments.of("intake.example.com", "intake.example.com", true),
                Arguments.of("intake.example.com", "INTAKE.Example.COM.", true),
                Arguments.of("intake.example.com", "a.intake.example.com", false),
                Arguments.of("intake.example.com", "example.com", false),
                Arguments.of("example.com", "metrics.example.com", false),
                Arguments.of(".example.com", "metrics.agent.example.com", true),
                Arguments.of(".example.com", "example.com", false),
                Arguments.of(".example.com", "badexample.com", false),
                Arguments.of("*.example.com", "trace.agent.example.com", true),
                Arguments.of("*.example.com", "example.com", false),
                Arguments.of("*.example.com", "example.com.evil.org", false),
                Arguments.of("*", "anything.ddog-gov.com", true),
                Arguments.of("*", "10.1.2.3", true),
                Arguments.of("10.0.0.5", "10.0.0.5", true),
                Arguments.of("10.0.0.5", "10.0.0.6", false),
                Arguments.of("10.0.0.0/8", "10.200.3.4", true),
                Arguments.of("10.0.0.0/8", "11.0.0.1", false),
                Arguments.of("192.168.4.0/22", "192.168.7.255", true),
                Arguments.of("192.168.4.0/22", "192.168.8.0", false),
                Arguments.of("0.0.0.0/0", "203.0.113.9", true),
                Arguments.of("0.0.0.0/0", "::1", false),
                Arguments.of("::1", "::1", true),
                Arguments.of("[::1]", "0:0:0:0:0:0:0:1", true),
                Arguments.of("fd00::/8", "fd12:3456::1", true),
                Arguments.of("fd00::/8", "fe80::1", false),
                Arguments.of("2001:db8::/33", "2001:db8:7fff::1", true),
                Arguments.of("2001:db8::/33", "2001:db8:8000::1", false),
                Arguments.of("10.0.0.0/8", "::ffff:10.1.1.1", true),
                Arguments.of("10.0.0.0/8", "metrics.agent.ddog-gov.com", false));
    }

    @ParameterizedTest(name = "no-proxy [{0}] and host {1}: direct = {2}")
    @MethodSource("table")
    void an_entry_decides_per_host(String entry, String host, boolean direct) {
        assertThat(NoProxyMatcher.parse(List.of(entry)).matches(host)).isEqualTo(direct);
    }

    @Test
    void an_empty_list_sends_every_host_through_the_proxy() {
        NoProxyMatcher none = NoProxyMatcher.parse(List.of(" ", ""));
        assertThat(none.isEmpty()).isTrue();
        assertThat(none.matches("metrics.agent.ddog-gov.com")).isFalse();
        assertThat(none.matches("127.0.0.1")).isFalse();
    }

    @Test
    void any_entry_of_several_may_match() {
        NoProxyMatcher m = NoProxyMatcher.parse(List.of("localhost", ".internal.example", "10.0.0.0/8", "fd00::/8"));
        assertThat(m.matches("localhost")).isTrue();
        assertThat(m.matches("intake.internal.example")).isTrue();
        assertThat(m.matches("10.9.9.9")).isTrue();
        assertThat(m.matches("fdaa::2")).isTrue();
        assertThat(m.matches("metrics.agent.ddog-gov.com")).isFalse();
        assertThat(m.entries()).containsExactly("localhost", ".internal.example", "10.0.0.0/8", "fd00::/8");
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("intake.example.com:443", "no ports here"),
                Arguments.of("10.0.0.0/33", "CIDR prefix length out of range 0..32"),
                Arguments.of("fd00::/129", "CIDR prefix length out of range 0..128"),
                Arguments.of("10.0.0.0/x", "not a CIDR prefix length"),
                Arguments.of("intake.example/8", "not a CIDR range"),
                Arguments.of("300.1.1.1", "not an IPv4 address"),
                Arguments.of("fd00:::1::2", "not an IPv6 address"),
                Arguments.of("in take.example", "not a host name"),
                Arguments.of("http://proxy.example", "not a host name"),
                Arguments.of("*example.com", "not a host name"),
                Arguments.of("..example.com", "not a host name"));
    }

    @ParameterizedTest(name = "\"{0}\" is refused: {1}")
    @MethodSource("refused")
    void an_unparsable_entry_is_refused_with_its_text(String entry, String reason) {
        assertThatThrownBy(() -> NoProxyMatcher.parse(List.of("localhost", entry)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason)
                .hasMessageContaining("\"" + entry + "\"");
    }
}

package io.fipsrelay.server.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ThroughputHistoryTest {

    private static ThroughputSample at(long millis) {
        return new ThroughputSample(millis, Map.of());
    }

    @Test
    void keeps_samples_oldest_first_until_full() {
        ThroughputHistory history = new ThroughputHistory(3);
        assertThat(history.samples()).isEmpty();
        assertThat(history.latest()).isEmpty();
        history.add(at(1));
        history.add(at(2));
        assertThat(history.samples()).extracting(ThroughputSample::epochMillis).containsExactly(1L, 2L);
        assertThat(history.latest()).map(ThroughputSample::epochMillis).contains(2L);
    }

    @Test
    void once_full_the_oldest_sample_makes_room_for_the_newest() {
        ThroughputHistory history = new ThroughputHistory(3);
        for (long t = 1; t <= 7; t++) {
            history.add(at(t));
        }
        assertThat(history.samples()).extracting(ThroughputSample::epochMillis).containsExactly(5L, 6L, 7L);
        assertThat(history.latest()).map(ThroughputSample::epochMillis).contains(7L);
    }
}

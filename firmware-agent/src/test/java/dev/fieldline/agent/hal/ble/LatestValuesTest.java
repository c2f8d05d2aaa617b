package dev.fieldline.agent.hal.ble;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LatestValuesTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void servesOnlyWhenEveryValueIsFreshAndCopiesNothingOtherwise() {
        LatestValues latest = new LatestValues(2, Duration.ofSeconds(10));
        double[] out = {7, 7};

        assertThat(latest.copyIfFresh(out, T0)).isZero();
        latest.set(0, 21.5, T0);
        assertThat(latest.copyIfFresh(out, T0)).isEqualTo(1);
        assertThat(out).containsExactly(7, 7);

        latest.set(1, 40, T0.plusSeconds(5));
        assertThat(latest.copyIfFresh(out, T0.plusSeconds(10))).isEqualTo(-1);
        assertThat(out).containsExactly(21.5, 40);
        assertThat(latest.copyIfFresh(out, T0.plusSeconds(11))).isZero();
        assertThat(latest.describeAge(0, T0.plusSeconds(11))).isEqualTo("for 11 s (stale after 10 s)");
        assertThat(new LatestValues(1, Duration.ofSeconds(1)).describeAge(0, T0)).isEqualTo("yet");
    }

    @Test
    void touchRenewsTheAgeOfAValueThatCameButNeverInventsOne() {
        LatestValues latest = new LatestValues(2, Duration.ofSeconds(10));
        latest.set(0, 1, T0);
        latest.touch(0, T0.plusSeconds(9));
        latest.touch(1, T0.plusSeconds(9));

        assertThat(latest.age(0, T0.plusSeconds(15))).hasValue(Duration.ofSeconds(6));
        assertThat(latest.age(1, T0.plusSeconds(15))).isEmpty();
    }
}

package dev.fieldline.agent.uplink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReconnectPolicyTest {

    @Test
    void doublesFromInitialUpToMaxWithJitterBounds() {
        ReconnectPolicy p = new ReconnectPolicy(Duration.ofMillis(500), Duration.ofSeconds(30), 0.2);
        assertThat(p.delay(1, () -> 0.5)).isEqualTo(Duration.ofMillis(500));
        assertThat(p.delay(2, () -> 0.5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.delay(4, () -> 0.5)).isEqualTo(Duration.ofSeconds(4));
        assertThat(p.delay(20, () -> 0.5)).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.delay(1, () -> 0.0)).isEqualTo(Duration.ofMillis(400));
        assertThat(p.delay(1, () -> 0.999999)).isBetween(Duration.ofMillis(599), Duration.ofMillis(600));
        assertThat(p.delay(20, () -> 0.999999)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void refusesBadSettingsNamingThem() {
        assertThatThrownBy(() -> new ReconnectPolicy(Duration.ZERO, Duration.ofSeconds(1), 0))
                .hasMessageContaining("initial");
        assertThatThrownBy(() -> new ReconnectPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), 0))
                .hasMessageContaining("max");
        assertThatThrownBy(() -> new ReconnectPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 1.5))
                .hasMessageContaining("jitter");
    }
}

package dev.fieldline.federated.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fieldline.federated.ClientUpdate;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpdateClippingTest {

    @Test
    void scalesALargeUpdateDownToTheClipNormKeepingItsDirection() {
        float[] delta = {3, 4, 0};
        float[] clipped = UpdateClipping.clip(delta, 1.0);
        assertThat(delta).containsExactly(3, 4, 0);
        assertThat(clipped).containsExactly(new float[] {0.6f, 0.8f, 0f}, within(1e-7f));
        assertThat(UpdateClipping.l2Norm(clipped)).isCloseTo(1.0, within(1e-7));
    }

    @Test
    void leavesAnUpdateWithinTheBoundUntouched() {
        float[] delta = {0.3f, -0.4f};
        assertThat(UpdateClipping.clip(delta, 0.5)).containsExactly(0.3f, -0.4f);
        assertThat(UpdateClipping.clipInPlace(delta, 10)).isCloseTo(0.5, within(1e-7));
        assertThat(delta).containsExactly(0.3f, -0.4f);
    }

    @Test
    void clipsInPlaceAndReturnsTheNormBefore() {
        float[] delta = new float[1000];
        java.util.Arrays.fill(delta, 1e6f);
        double before = UpdateClipping.clipInPlace(delta, 2.0);
        assertThat(before).isCloseTo(1e6 * Math.sqrt(1000), within(1.0));
        assertThat(UpdateClipping.l2Norm(delta)).isCloseTo(2.0, within(2.0 * 1e-6));
    }

    @Test
    void clipsAClientUpdateIntoANewOneWithTheSameIdExamplesAndMetrics() {
        ClientUpdate u = new ClientUpdate("c1", new float[] {0, 10}, 42, Map.of("loss", 0.5));
        ClientUpdate c = UpdateClipping.clip(u, 1);
        assertThat(c.delta()).containsExactly(0f, 1f);
        assertThat(u.delta()).containsExactly(0f, 10f);
        assertThat(c.clientId()).isEqualTo("c1");
        assertThat(c.examples()).isEqualTo(42);
        assertThat(c.metrics()).isEqualTo(u.metrics());
    }

    @Test
    void refusesNonFiniteUpdatesAndBadClipNorms() {
        assertThatThrownBy(() -> UpdateClipping.clip(new float[] {Float.NaN}, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-finite");
        assertThatThrownBy(() -> UpdateClipping.clipInPlace(new float[] {Float.POSITIVE_INFINITY}, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UpdateClipping.clip(new float[] {1}, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clipNorm");
        assertThatThrownBy(() -> UpdateClipping.clip(new float[] {1}, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clipNorm");
    }
}

package dev.fieldline.boards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.config.ConfigException;
import dev.fieldline.config.ConfigException.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BoardProfilesTest {

    @Test
    void stockSimProfile() {
        BoardProfile sim = BoardProfiles.load("sim");
        assertThat(sim.platform()).isEqualTo("sim");
        assertThat(sim.samplingInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(sim.adc()).isEqualTo(new BoardProfile.Adc(12, 3.3));
        assertThat(sim.adc().maxCount()).isEqualTo(4095);
        assertThat(sim.sensors()).containsExactly(
                new DeviceSpec.Tmp36("temperature", 0),
                new DeviceSpec.Button("button", 17, false, Duration.ofMillis(20)));
        assertThat(sim.actuators()).containsExactly(new DeviceSpec.Led("led", 27));
    }

    @Test
    void unknownBoardListsStockProfiles() {
        assertThatThrownBy(() -> BoardProfiles.load("pi5"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND))
                .hasMessageContaining("unknown board 'pi5'")
                .hasMessageContaining("stock profiles: sim");
    }

    @Test
    void fileProfileErrorsNameLineAndPath(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("b.yaml");
        Files.writeString(f, """
                name: mine
                platform: sim
                sensors:
                  t:
                    driver: tmp36
                    adc-channel: zero
                """);
        assertThatThrownBy(() -> BoardProfiles.load(f.toString()))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.source()).isEqualTo(f.toString());
                    assertThat(e.line()).hasValue(6);
                    assertThat(e.path()).isEqualTo("sensors.t.adc-channel");
                });

        Files.writeString(f, """
                name: mine
                platform: sim
                sensors:
                  t: {driver: tmp36, adc-channel: 0}
                  u: {driver: tmp36, adc-channel: 0}
                actuators:
                  b: {driver: button, digital-input: 3}
                """);
        assertThatThrownBy(() -> BoardProfiles.load(f.toString()))
                .hasMessageContaining(":5: sensors.u.adc-channel: adc-channel 0 is already used by sensors.t.adc-channel");

        Files.writeString(f, """
                name: mine
                platform: sim
                actuators:
                  b: {driver: button, digital-input: 3}
                """);
        assertThatThrownBy(() -> BoardProfiles.load(f.toString()))
                .hasMessageContaining(":4: actuators.b.driver: driver 'button' is a sensor and belongs under 'sensors'");
    }
}

package dev.fieldline.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentStartTest {
    @TempDir
    Path dir;

    private AgentConfig config(String board) {
        return AgentConfig.builder("d1").board(board).dataDir(dir.resolve("data")).uplink("tcp://127.0.0.1:1").build();
    }

    @Test
    void unknownBoardIsRefusedListingTheStockProfiles() {
        assertThatThrownBy(() -> Agent.start(config("pi5")))
                .isInstanceOfSatisfying(AgentException.class,
                        e -> assertThat(e.reason()).isEqualTo(AgentException.Reason.UNKNOWN_BOARD))
                .hasMessageContaining("unknown board 'pi5'")
                .hasMessageContaining("stock profiles: sim, rpi3b");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void aProviderThatCannotStartStopsStartUpWithoutFallingBackToMocks() throws Exception {
        Path profile = dir.resolve("esp.yaml");
        Path port = dir.resolve("no-such-tty");
        Files.writeString(profile, "name: esp\nextends: esp32-devkitc\nbridge: {port: " + port + ", reset: false}\n"
                + "sensors:\n  t: {driver: tmp36, pin: 34}\n");
        assertThatThrownBy(() -> Agent.start(config(profile.toString())))
                .isInstanceOfSatisfying(AgentException.class,
                        e -> assertThat(e.reason()).isEqualTo(AgentException.Reason.HARDWARE))
                .hasMessageStartingWith("board esp: the esp32-bridge provider could not start: ")
                .hasMessageContaining(port.toString());
        // this machine is no Raspberry Pi: the gpiod provider cannot start, and nothing falls back to Pi4J's mocks
        assertThatThrownBy(() -> Agent.start(config("rpi4b")))
                .isInstanceOfSatisfying(AgentException.class,
                        e -> assertThat(e.reason()).isEqualTo(AgentException.Reason.HARDWARE))
                .hasMessageStartingWith("board rpi4b: the pi4j provider could not start: ")
                .hasMessageContaining("gpiod");
    }

    @Test
    void brokenProfileFileIsAnInvalidConfigNamingTheLine() throws Exception {
        Path profile = dir.resolve("bad.yaml");
        Files.writeString(profile, "name: bad\nplatform: sim\nsensors:\n  t: {driver: thermistor}\n");
        assertThatThrownBy(() -> Agent.start(config(profile.toString())))
                .isInstanceOfSatisfying(AgentException.class,
                        e -> assertThat(e.reason()).isEqualTo(AgentException.Reason.INVALID_CONFIG))
                .hasMessageContaining(profile + ":4: sensors.t.driver: unknown driver 'thermistor'");
    }
}

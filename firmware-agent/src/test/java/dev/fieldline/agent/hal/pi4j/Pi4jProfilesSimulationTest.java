package dev.fieldline.agent.hal.pi4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fieldline.agent.driver.Bme280;
import dev.fieldline.agent.driver.Button;
import dev.fieldline.agent.driver.Led;
import dev.fieldline.agent.driver.Mcp3008;
import dev.fieldline.agent.driver.Relay;
import dev.fieldline.agent.driver.SensorDriver;
import dev.fieldline.agent.driver.Tmp102;
import dev.fieldline.agent.driver.Tmp36;
import dev.fieldline.agent.hal.Pull;
import dev.fieldline.agent.hal.pi4j.Pi4jProviders.Kind;
import dev.fieldline.agent.hal.pi4j.emulated.EmulatedPi;
import dev.fieldline.agent.hal.pi4j.emulated.ProfileChips;
import dev.fieldline.boards.BoardProfile;
import dev.fieldline.boards.BoardProfiles;
import dev.fieldline.boards.DeviceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every stock Raspberry Pi profile, extended with one of each Pi driver, runs in simulation: the
 * pi4j board and the drivers as on the Pi, only Pi4J's providers swapped for mocks with emulated chips.
 */
class Pi4jProfilesSimulationTest {
    @TempDir
    Path dir;

    private BoardProfile wired(String stock) throws IOException {
        Path file = dir.resolve("bench-" + stock + ".yaml");
        Files.writeString(file, """
                name: bench
                extends: %s
                sensors:
                  air: {driver: bme280, i2c: i2c1, address: 0x76}
                  outside: {driver: tmp102, i2c: i2c1, address: 0x48}
                  adc: {driver: mcp3008, spi: spi0, chip-select: 0, reference-voltage: 3.3}
                  soil: {driver: tmp36, adc: adc, channel: 0}
                  door: {driver: button, pin: 17, active-low: true}
                actuators:
                  fan: {driver: relay, pin: 27, active-low: true}
                  lamp: {driver: led, pin: 22}
                """.formatted(stock));
        return BoardProfiles.load(file.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"rpi3b", "rpi4b", "rpi5", "rpi-zero-2w"})
    void stockProfileWithEveryPiDriverRunsOnEmulatedChips(String stock) throws IOException {
        BoardProfile profile = wired(stock);
        Pi4jConfig config = Pi4jConfig.forProfile(profile);
        assertThat(config.providers().provider(Kind.DIGITAL_INPUT)).contains(profile.providers().digital().orElseThrow());
        assertThat(config.providers().provider(Kind.I2C)).contains(Pi4jProviders.LINUXFS);
        assertThat(config.pwmChannels()).isNotEmpty();
        assertThat(config.pwmChip()).isEqualTo(stock.equals("rpi5") ? 2 : 0);
        assertThat(config.uarts().get("uart0").device()).contains(stock.equals("rpi5") ? "/dev/ttyAMA0" : "/dev/serial0");

        EmulatedPi pi = ProfileChips.attach(new EmulatedPi(), profile);
        Map<String, double[]> readings = new LinkedHashMap<>();
        try (Pi4jBoard board = Pi4jBoard.open(config, pi, Clock.systemUTC())) {
            Map<String, Mcp3008> adcs = new LinkedHashMap<>();
            Map<String, SensorDriver> sensors = new LinkedHashMap<>();
            Button door = null;
            for (DeviceSpec d : profile.sensors()) {
                if (d instanceof DeviceSpec.Mcp3008 m) {
                    adcs.put(m.name(), new Mcp3008(board.spi(m.bus(), m.chipSelect()), m.referenceVolts()));
                }
            }
            for (DeviceSpec d : profile.sensors()) {
                if (d instanceof DeviceSpec.Bme280 b) {
                    sensors.put(b.name(), new Bme280(board.i2c(b.bus(), b.address()), Bme280.Config.weatherMonitoring(),
                            duration -> { }));
                } else if (d instanceof DeviceSpec.Tmp102 t) {
                    sensors.put(t.name(), new Tmp102(board.i2c(t.bus(), t.address()), Tmp102.Config.defaults(),
                            duration -> { }));
                } else if (d instanceof DeviceSpec.Tmp36 t
                        && t.source() instanceof DeviceSpec.AnalogSource.AdcChip chip) {
                    Mcp3008 adc = adcs.get(chip.adc());
                    sensors.put(t.name(), new Tmp36(adc.channel(chip.channel()), adc.adc()));
                } else if (d instanceof DeviceSpec.Button b) {
                    door = new Button(board.digitalInput(b.pin(), Pull.valueOf(b.pull().name())), b.activeLow(),
                            b.debounce(), Clock.systemUTC()::instant);
                }
            }
            Relay fan = null;
            Led lamp = null;
            for (DeviceSpec d : profile.actuators()) {
                if (d instanceof DeviceSpec.Relay r) {
                    fan = new Relay(board.digitalOutput(r.pin(), Relay.safeLevel(r.activeLow(), r.safeOn())),
                            r.activeLow(), r.safeOn());
                } else if (d instanceof DeviceSpec.Led l) {
                    lamp = new Led(board.digitalOutput(l.pin(), Led.offLevel(l.activeLow())), l.activeLow());
                }
            }
            for (Map.Entry<String, SensorDriver> e : sensors.entrySet()) {
                double[] v = new double[e.getValue().quantities().size()];
                e.getValue().read(v);
                readings.put(e.getKey(), v);
            }
            assertThat(door.poll()).isFalse();
            pi.setInput(17, false); // pressed: active-low
            assertThat(door.poll()).isTrue();
            assertThat(pi.outputLevel(27)).isTrue(); // active-low relay released from the start
            fan.set(true);
            lamp.set(true);
            assertThat(pi.outputLevel(27)).isFalse();
            assertThat(pi.outputLevel(22)).isTrue();
            fan.close();
            lamp.close();
            assertThat(pi.outputLevel(27)).isTrue();
            assertThat(pi.outputLevel(22)).isFalse();
        }
        assertThat(pi.allContextsShutDown()).isTrue();
        assertThat(readings.keySet()).containsExactly("air", "outside", "soil");
        assertThat(readings.get("air")).containsExactly(25.08, readings.get("air")[1], 25767233 / 256.0);
        assertThat(readings.get("air")[1]).isCloseTo(50.45, within(0.01));
        assertThat(readings.get("outside")).containsExactly(ProfileChips.TMP102_CELSIUS);
        assertThat(readings.get("soil")[0]).isCloseTo(21.5, within(0.33));
    }
}

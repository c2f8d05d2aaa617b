package dev.fieldline.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fieldline agent --check}: a board profile's resolved wiring, or its problems. */
class AgentCheckTest {
    @TempDir
    Path dir;

    @Test
    void aStockBoardChecksOk() {
        CliTest.Run r = CliTest.run("agent", "--board", "rpi5", "--check");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("board rpi5: Raspberry Pi 5")
                .contains("platform pi4j, chip bcm2712; providers: digital gpiod, i2c linuxfs", "pins: none in use\n")
                .endsWith("board profile rpi5: ok\n");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void aPiShowsItsHeaderUart() {
        CliTest.Run r = CliTest.run("agent", "--board", "rpi4b", "--check");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("uarts (jserialcomm)\n  uart0 /dev/serial0 (TX GPIO14, RX GPIO15, 115200 8N1)\n");
    }

    @Test
    void aUserProfilePrintsPinFunctionDeviceAndBusesWithAddresses() throws Exception {
        Path f = dir.resolve("greenhouse.yaml");
        Files.writeString(f, """
                name: greenhouse
                extends: rpi4b
                sensors:
                  air: {driver: bme280, i2c: i2c1, address: 0x77}
                  outside: {driver: tmp102, i2c: i2c1}
                  adc: {driver: mcp3008, spi: spi0}
                  soil: {driver: tmp36, adc: adc, channel: 2}
                  door: {driver: button, pin: 17, active-low: true}
                actuators:
                  fan: {driver: relay, pin: 27}
                """);
        CliTest.Run r = CliTest.run("agent", "--board", f.toString(), "--check");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains(
                "board greenhouse (extends rpi4b)",
                "  GPIO2 (header 3)    i2c1 SDA        bus i2c1\n",
                "  GPIO8 (header 24)   spi0 CE0        adc (mcp3008, 3.30 V reference)\n",
                "  GPIO17 (header 11)  digital input   door (button, active-low, pull up, debounce 20ms)\n",
                "  GPIO27 (header 13)  digital output  fan (relay, active-low, safe state off)\n",
                "    0x48  outside (tmp102)\n    0x77  air (bme280)\n",
                "  adc ch2  soil (tmp36)\n");
        assertThat(r.out()).endsWith("board profile " + f + ": ok\n");
    }

    @Test
    void anInvalidProfilePrintsEveryProblemAndExitsNonZero() throws Exception {
        Path f = dir.resolve("broken.yaml");
        Files.writeString(f, """
                name: broken
                extends: rpi4b
                sensors:
                  t: {driver: tmp36, pin: 4}
                  a: {driver: bme280, i2c: i2c1}
                  b: {driver: bme280, i2c: i2c1}
                actuators:
                  heater: {driver: heater, pin: 5}
                """);
        CliTest.Run r = CliTest.run("agent", "--board", f.toString(), "--check");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines()).containsExactly(
                f + ":8: actuators.heater.driver: unknown driver 'heater'; known drivers: ble-ess, bme280, bthome, button, led, mcp3008, relay, tmp102, tmp36",
                f + ":4: sensors.t.pin: GPIO4 (header 7) has no ADC input (it can do: gpio, i2c3.sda); broken has no ADC on any pin"
                        + " (a Raspberry Pi has none): put an ADC chip on a bus (driver: mcp3008) and give the tmp36 'adc: NAME' and 'channel: 0..7'",
                f + ":6: sensors.b.i2c: i2c1 address 0x76 is already used by sensors.a (bme280) (sensors.a.i2c, line 5)",
                "board profile " + f + ": 3 problems");
    }

    @Test
    void anUnknownBoardIsAProblemToo() {
        CliTest.Run r = CliTest.run("agent", "--board", "rpi9", "--check");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("unknown board 'rpi9': not a stock profile (stock profiles: sim, rpi3b, rpi4b, rpi5,"
                + " rpi-zero-2w, esp32-devkitc, esp32-s3-devkitc) and no such file");
    }

    @Test
    void theBoardComesFromTheConfigurationWhenNotGiven() throws Exception {
        Path config = dir.resolve("agent.yaml");
        Files.writeString(config, "device-id: d1\nboard: esp32-devkitc\nuplink: tcp://127.0.0.1:1\n");
        CliTest.Run r = CliTest.run("agent", "--config", config.toString(), "--check");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("board esp32-devkitc", "bridge /dev/ttyUSB0 at 115200 baud").endsWith(": ok\n");
    }
}

package dev.fieldline.boards;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class WiringReportTest {

    @Test
    void showsEachPinItsFunctionAndDeviceAndTheBusesWithAddresses() throws Exception {
        Path file = Path.of(getClass().getResource("examples/greenhouse-rpi4b.yaml").toURI());
        String report = WiringReport.describe(BoardProfiles.load(file.toString()));
        assertThat(report).startsWith("board greenhouse (extends rpi4b): Raspberry Pi 4 Model B (BCM2711, 1-8 GB)\n"
                + "platform pi4j, chip bcm2711; providers: digital gpiod, i2c linuxfs, spi linuxfs, pwm linuxfs, serial jserialcomm, ble bluez\n"
                + "sampling every 2s; uplink: payload-format json, heartbeat every 30s, max-in-flight 8; limits: heap 128MiB, journal 128MiB\n");
        assertThat(report).contains(
                "  GPIO2 (header 3)    i2c1 SDA        bus i2c1\n",
                "  GPIO7 (header 26)   spi0 CE1        adc (mcp3008, 3.30 V reference, reports ch7)\n",
                "  GPIO17 (header 11)  digital input   door (button, active-low, pull up, debounce 20ms)\n",
                "  GPIO27 (header 13)  digital output  fan (relay, active-low, safe state off)\n",
                "  i2c1 /dev/i2c-1 (SDA GPIO2, SCL GPIO3, 100 kHz)\n    0x49  outside (tmp102)\n    0x77  air (bme280, every 10s)\n",
                "  spi0 /dev/spidev0.N (MOSI GPIO10, MISO GPIO9, SCLK GPIO11)\n    CE1 (GPIO7)  adc (mcp3008",
                "adc channels\n  adc ch0  soil (tmp36)\n",
                "ble (bluez, hci0)\n  porch (ble-ess, address A4:C1:38:00:11:22, stale after 5m)\n  shed (bthome, name ATC_*, temperature humidity, stale after 10m)\n");
    }

    @Test
    void theSimBoardAndAnEsp32() throws Exception {
        String sim = WiringReport.describe(BoardProfiles.load("sim"));
        assertThat(sim).contains("  GPIO0   adc0.0          temperature (tmp36)\n", "  GPIO27  digital output  led (led, safe state off)\n",
                "models\n  sensor-anomaly: stock sensor-anomaly-int8 on micro, window of temperature\n");
        Path file = Path.of(getClass().getResource("examples/bench-esp32-s3.yaml").toURI());
        String esp = WiringReport.describe(BoardProfiles.load(file.toString()));
        assertThat(esp).contains("bridge /dev/ttyACM0 at 460800 baud, reset on open, timeout 500ms",
                "  GPIO4   adc1.3          probe (tmp36)\n", "  i2c0 (controller 0) (SDA GPIO8, SCL GPIO9, 100 kHz)\n    0x77  air (bme280, every 5s)\n");
        assertThat(WiringReport.describe(BoardProfiles.load("rpi5"))).contains("pins: none in use\n")
                .contains("uarts (jserialcomm)\n  uart0 /dev/ttyAMA0 (TX GPIO14, RX GPIO15, 115200 8N1)\n");
    }
}

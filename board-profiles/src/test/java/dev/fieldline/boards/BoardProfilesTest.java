package dev.fieldline.boards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.fieldline.config.ConfigException;
import dev.fieldline.config.ConfigException.Reason;
import dev.fieldline.protocol.PayloadFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BoardProfilesTest {
    @TempDir
    Path dir;

    static List<String> stock() {
        return BoardProfiles.STOCK;
    }

    @ParameterizedTest
    @MethodSource("stock")
    void everyStockProfileLoads(String name) {
        BoardProfile p = BoardProfiles.load(name);
        assertThat(p.name()).isEqualTo(name);
        assertThat(p.lineage()).isEmpty();
        assertThat(p.warnings()).isEmpty();
        assertThat(p.pinout().pins()).isNotEmpty();
        assertThat(p.limits().heapBytes().isPresent()).isEqualTo(!name.equals("sim"));
        assertThat(p.limits().journalBytes()).isPresent();
        assertThat(p.description()).isNotBlank();
    }

    @Test
    void stockSimProfile() {
        BoardProfile sim = BoardProfiles.load("sim");
        assertThat(sim.platform()).isEqualTo("sim");
        assertThat(sim.samplingInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(sim.adc()).contains(new BoardProfile.Adc(12, 3.3));
        assertThat(sim.adc().orElseThrow().maxCount()).isEqualTo(4095);
        assertThat(sim.providers()).isEqualTo(Providers.NONE);
        assertThat(sim.sensors()).containsExactly(
                new DeviceSpec.Tmp36("temperature", 0),
                new DeviceSpec.Button("button", 17, false, Duration.ofMillis(20)));
        assertThat(sim.actuators()).containsExactly(new DeviceSpec.Led("led", 27));
    }

    @Test
    void raspberryPiProfilesUseBcmNumbersWithHeaderPinsAndHaveNoAdc() {
        for (String name : List.of("rpi3b", "rpi4b", "rpi5", "rpi-zero-2w")) {
            BoardProfile pi = BoardProfiles.load(name);
            assertThat(pi.platform()).isEqualTo(BoardProfile.PI4J);
            assertThat(pi.adc()).isEmpty();
            assertThat(pi.pinout().pins().values()).noneMatch(p -> p.adc().isPresent());
            assertThat(pi.pinout().pins().keySet()).containsExactlyElementsOf(
                    java.util.stream.IntStream.rangeClosed(0, 27).boxed().toList());
            Pin sda = pi.pinout().pin(2).orElseThrow();
            assertThat(sda.header()).hasValue(3);
            assertThat(sda.functions()).containsExactly("gpio", "i2c1.sda");
            assertThat(pi.pinout().pin(17).orElseThrow().label()).isEqualTo("GPIO17 (header 11)");
            assertThat(pi.pinout().pin(0).orElseThrow().reserved()).hasValueSatisfying(r -> assertThat(r).contains("EEPROM"));
            assertThat(pi.pinout().i2c().get("i2c1")).isEqualTo(new I2cBus("i2c1", 2, 3, Optional.of("/dev/i2c-1"), 100_000));
            SpiBus spi0 = pi.pinout().spi().get("spi0");
            assertThat(spi0.chipSelects()).containsEntry(0, 8).containsEntry(1, 7);
            assertThat(spi0.devicePath(1)).contains("/dev/spidev0.1");
            assertThat(pi.providers().chosen()).containsEntry("digital", "gpiod").containsEntry("i2c", "linuxfs")
                    .containsEntry("spi", "linuxfs").containsEntry("pwm", "linuxfs").containsEntry("serial", "jserialcomm")
                    .containsEntry("ble", "bluez");
            assertThat(pi.providers().bridge()).isEmpty();
            assertThat(pi.uplink().payloadFormat()).contains(PayloadFormat.CBOR);
        }
        assertThat(BoardProfiles.load("rpi5").chip()).contains("bcm2712");
        assertThat(BoardProfiles.load("rpi5").pinout().pin(18).orElseThrow().hardwarePwm())
                .contains(new Pin.PwmChannel(0, 2));
        assertThat(BoardProfiles.load("rpi4b").pinout().pin(18).orElseThrow().hardwarePwm())
                .contains(new Pin.PwmChannel(0, 0));
        assertThat(BoardProfiles.load("rpi-zero-2w").limits().heapBytes()).hasValue(64L << 20);
    }

    @Test
    void raspberryPiProfilesDeclareTheHeaderUartOnGpio14And15() {
        for (String name : List.of("rpi3b", "rpi4b", "rpi-zero-2w")) {
            assertThat(BoardProfiles.load(name).pinout().uart()).as(name).containsExactly(java.util.Map.entry("uart0",
                    new Uart("uart0", 14, 15, Optional.of("/dev/serial0"), 115_200, 8, Uart.Parity.NONE, 1)));
        }
        // a Pi 5's /dev/serial0 is the debug connector; the header's UART0 is ttyAMA0
        assertThat(BoardProfiles.load("rpi5").pinout().uart().get("uart0").device()).contains("/dev/ttyAMA0");
        assertThat(BoardProfiles.load("sim").pinout().uart()).isEmpty();
    }

    @Test
    void aUserProfileChangesTheUartSettingsKeepingItsPinsAndDevice() throws Exception {
        Path f = dir.resolve("particles.yaml");
        Files.writeString(f, "name: particles\nextends: rpi4b\nuart:\n  uart0: {baud: 9600, parity: even, stop-bits: 2}\n");
        assertThat(BoardProfiles.load(f.toString()).pinout().uart().get("uart0"))
                .isEqualTo(new Uart("uart0", 14, 15, Optional.of("/dev/serial0"), 9_600, 8, Uart.Parity.EVEN, 2));
    }

    @Test
    void esp32ProfilesAreBridgedWithAdc1InputOnlyAndReservedPins() {
        BoardProfile esp = BoardProfiles.load("esp32-devkitc");
        assertThat(esp.platform()).isEqualTo(BoardProfile.ESP32_BRIDGE);
        assertThat(esp.providers().bridge()).contains(new SerialBridge("/dev/ttyUSB0", 115_200, true, Duration.ofMillis(500)));
        assertThat(esp.pinout().gpioMatrix()).isTrue();
        assertThat(esp.adc()).contains(new BoardProfile.Adc(12, 3.3));
        for (int inputOnly : List.of(34, 35, 36, 39)) {
            Pin p = esp.pinout().pin(inputOnly).orElseThrow();
            assertThat(p.canInput()).isTrue();
            assertThat(p.canOutput()).isFalse();
            assertThat(p.hasPulls()).isFalse();
            assertThat(p.adc()).isPresent();
        }
        assertThat(esp.pinout().pin(36).orElseThrow().adc()).contains(new Pin.AdcChannel(1, 0));
        for (int flash = 6; flash <= 11; flash++) {
            assertThat(esp.pinout().pin(flash).orElseThrow().reserved()).hasValueSatisfying(r -> assertThat(r).contains("flash"));
        }
        assertThat(esp.pinout().pin(12).orElseThrow().strapping()).isPresent();
        assertThat(esp.pinout().pins().values()).allMatch(p -> p.adc().map(a -> a.unit() == 1).orElse(true));

        BoardProfile s3 = BoardProfiles.load("esp32-s3-devkitc");
        assertThat(s3.chip()).contains("esp32s3");
        assertThat(s3.pinout().pins().values().stream().filter(p -> p.adc().isPresent()).map(Pin::number))
                .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(s3.pinout().pin(43).orElseThrow().reserved()).isPresent();
    }

    @Test
    void aUserProfileExtendsAStockOneWithItsWiring() throws Exception {
        BoardProfile p = load("""
                name: greenhouse
                extends: rpi4b
                sampling-interval: 2s
                sensors:
                  air: {driver: bme280, i2c: i2c1, address: 0x77, interval: 10s}
                  outside: {driver: tmp102, i2c: i2c1, address: 0x49}
                  adc: {driver: mcp3008, spi: spi0, chip-select: 1, reference-voltage: 3.3, report: [7]}
                  soil: {driver: tmp36, adc: adc, channel: 0}
                  door: {driver: button, pin: 17, active-low: true}
                  porch: {driver: ble-ess, address: "a4:c1:38:00:11:22"}
                  shed: {driver: bthome, name-prefix: "ATC_", stale-after: 10m}
                actuators:
                  fan: {driver: relay, pin: 27}
                  lamp: {driver: led, pin: 22}
                limits:
                  journal: 128MiB
                """);
        assertThat(p.name()).isEqualTo("greenhouse");
        assertThat(p.lineage()).containsExactly("rpi4b");
        assertThat(p.platform()).isEqualTo("pi4j");
        assertThat(p.samplingInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.limits().journalBytes()).hasValue(128L << 20);
        assertThat(p.limits().heapBytes()).hasValue(256L << 20);
        assertThat(p.sensors()).containsExactly(
                new DeviceSpec.Bme280("air", "i2c1", 0x77, Optional.of(Duration.ofSeconds(10))),
                new DeviceSpec.Tmp102("outside", "i2c1", 0x49, Optional.empty()),
                new DeviceSpec.Mcp3008("adc", "spi0", 1, 3.3, List.of(7), Optional.empty()),
                new DeviceSpec.Tmp36("soil", new DeviceSpec.AnalogSource.AdcChip("adc", 0), Optional.empty()),
                new DeviceSpec.Button("door", 17, true, Duration.ofMillis(20), DeviceSpec.Pull.UP, Optional.empty()),
                new DeviceSpec.BleEss("porch", new DeviceSpec.BleFilter(Optional.of("A4:C1:38:00:11:22"), Optional.empty()),
                        Duration.ofMinutes(5), Optional.empty()),
                new DeviceSpec.Bthome("shed", new DeviceSpec.BleFilter(Optional.empty(), Optional.of("ATC_")),
                        Duration.ofMinutes(10), Optional.empty()));
        assertThat(p.actuators()).containsExactly(new DeviceSpec.Relay("fan", 27, true, false), new DeviceSpec.Led("lamp", 22));
        assertThat(((DeviceSpec.Bthome) p.device("shed").orElseThrow()).filter().matches("AA:BB:CC:DD:EE:FF", "ATC_1a2b"))
                .isTrue();
        assertThat(p.warnings()).isEmpty();
    }

    @Test
    void aProfileCanExtendAUserFileAndRemoveInheritedDevices() throws Exception {
        Files.writeString(dir.resolve("base.yaml"), """
                name: base
                extends: esp32-devkitc
                bridge: {port: /dev/ttyACM0, reset: false}
                sensors:
                  t: {driver: tmp36, pin: 34}
                  u: {driver: tmp36, pin: 35}
                """);
        BoardProfile p = load("""
                name: derived
                extends: base.yaml
                sensors:
                  u:
                  air: {driver: bme280, i2c: i2c0}
                """);
        assertThat(p.lineage()).containsExactly("base", "esp32-devkitc");
        assertThat(p.providers().bridge().orElseThrow().port()).isEqualTo("/dev/ttyACM0");
        assertThat(p.providers().bridge().orElseThrow().reset()).isFalse();
        assertThat(p.providers().bridge().orElseThrow().baud()).isEqualTo(115_200);
        assertThat(p.sensors()).extracting(DeviceSpec::name).containsExactly("t", "air");
        assertThat(p.sensors().get(0)).isEqualTo(new DeviceSpec.Tmp36("t", new DeviceSpec.AnalogSource.BoardAdc(34, 1, 6),
                Optional.empty()));
        assertThat(((DeviceSpec.Bme280) p.sensors().get(1)).address()).isEqualTo(0x76);
    }

    @Test
    void strappingPinsAndShortIntervalsAreWarnings() throws Exception {
        BoardProfile p = load("""
                name: w
                extends: esp32-devkitc
                sensors:
                  b: {driver: button, pin: 15, interval: 200ms}
                """);
        assertThat(p.warnings()).hasSize(2);
        assertThat(p.warnings().get(0)).contains(":4: sensors.b.interval: shorter than the board's sampling-interval (1s)");
        assertThat(p.warnings().get(1)).contains(":4: sensors.b.pin: GPIO15 is a strapping pin: MTDO");
    }

    // ------------------------------------------------------------------------------- refusals

    @Test
    void unknownBoardListsStockProfiles() {
        assertThatThrownBy(() -> BoardProfiles.load("pi5"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND))
                .hasMessageContaining("unknown board 'pi5'")
                .hasMessageContaining("stock profiles: sim, rpi3b, rpi4b, rpi5, rpi-zero-2w, esp32-devkitc, esp32-s3-devkitc");
    }

    @Test
    void unknownDriverListsTheKnownOnes() throws Exception {
        ConfigException e = refused("""
                name: x
                extends: rpi4b
                sensors:
                  t: {driver: thermistor}
                """);
        assertLocated(e, 4, "sensors.t.driver", "unknown driver 'thermistor'; known drivers: ble-ess, bme280, bthome, "
                + "button, led, mcp3008, relay, tmp102, tmp36");
    }

    @Test
    void aPinUsedTwiceNamesTheFirstUse() throws Exception {
        ConfigException e = refused("""
                name: x
                extends: rpi4b
                sensors:
                  door: {driver: button, pin: 17}
                actuators:
                  lamp: {driver: led, pin: 17}
                """);
        assertLocated(e, 6, "actuators.lamp.pin", "GPIO17 (header 11) is already used by sensors.door (button) (sensors.door.pin, line 4)");
    }

    @Test
    void aBusInUseOwnsItsPins() throws Exception {
        ConfigException e = refused("""
                name: x
                extends: rpi3b
                sensors:
                  air: {driver: bme280, i2c: i2c1}
                  door: {driver: button, pin: 2}
                """);
        assertLocated(e, 5, "sensors.door.pin", "GPIO2 (header 3) is already used by i2c1 SDA (for sensors.air (bme280))");
        // an unused bus leaves its pins free
        assertThat(load("name: y\nextends: rpi3b\nsensors:\n  door: {driver: button, pin: 2}\n").sensors()).hasSize(1);
    }

    @Test
    void adcOnARaspberryPiGpioSaysToUseAnAdcChip() throws Exception {
        ConfigException e = refused("""
                name: x
                extends: rpi4b
                sensors:
                  t: {driver: tmp36, pin: 4}
                """);
        assertLocated(e, 4, "sensors.t.pin", "GPIO4 (header 7) has no ADC input (it can do: gpio, i2c3.sda); x has no ADC "
                + "on any pin (a Raspberry Pi has none): put an ADC chip on a bus (driver: mcp3008)");
    }

    @Test
    void adcOnAnEsp32PinWithoutAdc1ListsTheAdcPins() throws Exception {
        ConfigException e = refused("name: x\nextends: esp32-devkitc\nsensors:\n  t: {driver: tmp36, pin: 4}\n");
        assertLocated(e, 4, "sensors.t.pin", "GPIO4 has no ADC input (it can do: gpio, pwm); ADC pins: 32 (adc1.4), "
                + "33 (adc1.5), 34 (adc1.6), 35 (adc1.7), 36 (adc1.0), 39 (adc1.3)");
    }

    @Test
    void i2cOnPinsThatCannotCarryItNamesThePinsThatCan() throws Exception {
        ConfigException e = refused("""
                name: x
                extends: rpi3b
                i2c:
                  i2c3: {sda: 4, scl: 5, device: /dev/i2c-3}
                """);
        assertLocated(e, 4, "i2c.i2c3.sda", "GPIO4 (header 7) cannot carry i2c3 SDA (it can do: gpio); no pin of this board can");
        // a Pi 4 has i2c3 on GPIO4/5
        assertThat(load("name: y\nextends: rpi4b\ni2c:\n  i2c3: {sda: 4, scl: 5, device: /dev/i2c-3}\n")
                .pinout().i2c()).containsKey("i2c3");
        ConfigException swapped = refused("name: z\nextends: rpi4b\ni2c:\n  i2c1: {sda: 3, scl: 2}\n");
        assertThat(swapped.problems()).extracting(ConfigException::path).containsExactly("i2c.i2c1.sda");
        assertThat(swapped.problems().get(0).problem()).endsWith("it can be on GPIO2 (header 3)");
    }

    @Test
    void anOutputOnAnEsp32InputOnlyPinIsRefused() throws Exception {
        ConfigException e = refused("name: x\nextends: esp32-devkitc\nactuators:\n  fan: {driver: relay, pin: 34}\n");
        assertLocated(e, 4, "actuators.fan.pin", "GPIO34 is input-only (no output driver); a relay needs an output pin: "
                + "0, 2, 4, 5, 12..19, 21..23, 25..27, 32, 33");
        ConfigException pulled = refused("name: x\nextends: esp32-devkitc\nsensors:\n  b: {driver: button, pin: 35, active-low: true}\n");
        assertLocated(pulled, 4, "sensors.b.pin", "GPIO35 is input-only and has no pull resistors: write pull: none and fit an "
                + "external pull-up resistor");
        assertThat(load("name: y\nextends: esp32-devkitc\nsensors:\n  b: {driver: button, pin: 35, pull: none}\n").sensors())
                .hasSize(1);
    }

    @Test
    void reservedPinsAreRefusedWithTheReason() throws Exception {
        ConfigException e = refused("name: x\nextends: esp32-devkitc\nactuators:\n  l: {driver: led, pin: 6}\n");
        assertLocated(e, 4, "actuators.l.pin", "GPIO6 is reserved: SPI flash (SCK)");
        ConfigException bus = refused("name: x\nextends: esp32-devkitc\ni2c:\n  i2c1: {sda: 1, scl: 4}\n");
        assertLocated(bus, 4, "i2c.i2c1.sda", "GPIO1 is reserved: UART0 TX: the bridge's serial link to the host");
    }

    @Test
    void busAddressClashesAndChipSelects() throws Exception {
        ConfigException e = refused("""
                name: x
                extends: rpi4b
                sensors:
                  a: {driver: bme280, i2c: i2c1, address: 0x76}
                  b: {driver: bme280, i2c: i2c1, address: 0x76}
                """);
        assertLocated(e, 5, "sensors.b.address", "i2c1 address 0x76 is already used by sensors.a (bme280) (sensors.a.address, line 4)");
        ConfigException cs = refused("""
                name: x
                extends: rpi4b
                sensors:
                  a: {driver: mcp3008, spi: spi0, chip-select: 0}
                  b: {driver: mcp3008, spi: spi0}
                  c: {driver: mcp3008, spi: spi0, chip-select: 2}
                """);
        assertThat(cs.problems()).hasSize(2);
        assertLocated(cs.problems().get(0), 5, "sensors.b", "spi0 chip select 0 is already used by sensors.a (mcp3008)");
        assertLocated(cs.problems().get(1), 6, "sensors.c.chip-select", "spi0 has no chip select 2; chip selects: [0, 1]");
        ConfigException addr = refused("name: x\nextends: rpi4b\nsensors:\n  t: {driver: tmp102, i2c: i2c1, address: 0x50}\n");
        assertLocated(addr, 4, "sensors.t", "a TMP102 answers at 0x48, 0x49, 0x4a or 0x4b");
    }

    @Test
    void missingFieldsAndUnknownKeys() throws Exception {
        assertLocated(refused("name: x\nextends: rpi4b\nsensors:\n  a: {driver: bme280}\n"), 4, "sensors.a",
                "required key 'i2c' is missing");
        assertLocated(refused("name: x\nextends: rpi4b\nsensors:\n  a: {driver: tmp36}\n"), 4, "sensors.a",
                "a tmp36 reads either the board's ADC ('pin: GPIO number') or an ADC chip ('adc: NAME' and 'channel: 0..7'), not neither");
        assertLocated(refused("name: x\nextends: rpi4b\nsensors:\n  a: {driver: button, pin: 4, pul: up}\n"), 4, "sensors.a.pul",
                "unknown key 'pul'; known keys here: active-low, debounce, driver, interval, pin, pull");
        assertLocated(refused("name: x\nextends: rpi4b\nsensor:\n  a: {driver: button, pin: 4}\n"), 3, "sensor",
                "unknown key 'sensor'; known keys here: actuators, adc, bridge, chip");
        assertLocated(refused("name: x\nextends: esp32-devkitc\nsensors:\n  p: {driver: ble-ess}\n"), 4, "sensors.p",
                "a BLE sensor needs an address or a name prefix (or both)");
        assertLocated(refused("platform: sim\n"), 1, "", "required key 'name' is missing");
        assertLocated(refused("name: x\nplatform: pi4j\n"), 1, "", "a pi4j board needs providers.digital: gpiod or pigpio");
        assertLocated(refused("name: x\nplatform: esp32-bridge\n"), 1, "", "an esp32-bridge board needs 'bridge'");
        assertLocated(refused("name: x\nplatform: arduino\n"), 2, "platform", "unknown platform 'arduino'; platforms: sim, pi4j, esp32-bridge");
    }

    @Test
    void pigpioCannotDriveAPi5() throws Exception {
        assertLocated(refused("name: x\nextends: rpi5\nproviders: {digital: pigpio}\n"), 3, "providers.digital",
                "pigpio cannot drive a Raspberry Pi 5");
        assertThat(load("name: y\nextends: rpi4b\nproviders: {digital: pigpio}\n").providers().digital()).contains("pigpio");
        assertLocated(refused("name: x\nextends: rpi4b\nproviders: {i2c: pigpio}\n"), 3, "providers.i2c",
                "unknown i2c provider 'pigpio' for pi4j; choose linuxfs");
        assertLocated(refused("name: x\nextends: esp32-devkitc\nproviders: {digital: gpiod}\n"), 3, "providers.digital",
                "on esp32-bridge the ESP32 does the I/O");
    }

    @Test
    void bleSensorsNeedABleProvider() throws Exception {
        assertLocated(refused("name: x\nextends: sim\nsensors:\n  p: {driver: bthome, address: AA:BB:CC:DD:EE:FF}\n"), 4,
                "sensors.p.driver", "sensors.p is a BLE sensor, but this board has no BLE provider (the sim platform has none)");
    }

    @Test
    void extendsKeepsThePlatformAndRefusesCyclesAndUnknownTargets() throws Exception {
        assertLocated(refused("name: x\nextends: rpi4b\nplatform: sim\n"), 3, "platform",
                "'rpi4b' runs on platform pi4j; a profile that extends it keeps that platform");
        assertLocated(refused("name: x\nextends: rpi9\n"), 2, "extends", "'rpi9' is neither a stock profile");
        Files.writeString(dir.resolve("a.yaml"), "name: a\nextends: b.yaml\n");
        Files.writeString(dir.resolve("b.yaml"), "name: b\nextends: a.yaml\n");
        assertThatThrownBy(() -> BoardProfiles.load(dir.resolve("a.yaml").toString())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("extends itself");
    }

    @Test
    void everyProblemIsReportedNotJustTheFirst() throws Exception {
        ConfigException e = refused("""
                name: x
                extends: rpi4b
                sensors:
                  a: {driver: thermistor}
                  b: {driver: tmp36, pin: 4}
                actuators:
                  c: {driver: led, pin: 99}
                limits: {heap: 1KiB}
                """);
        assertThat(e.problems()).extracting(ConfigException::path)
                .containsExactly("sensors.a.driver", "sensors.b.pin", "actuators.c.pin", "limits.heap");
        assertThat(e.getMessage().lines()).hasSize(4);
        assertThat(e.problems().get(2).problem()).isEqualTo("this board has no GPIO99; pins: 0..27");
    }

    @Test
    void fileProfileErrorsNameLineAndPath() throws Exception {
        Path f = dir.resolve("b.yaml");
        Files.writeString(f, """
                name: mine
                extends: sim
                sensors:
                  t:
                    driver: tmp36
                    pin: zero
                """);
        assertThatThrownBy(() -> BoardProfiles.load(f.toString()))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.source()).isEqualTo(f.toString());
                    assertThat(e.line()).hasValue(6);
                    assertThat(e.path()).isEqualTo("sensors.t.pin");
                });
        assertThatThrownBy(() -> load("name: m\nextends: sim\nactuators:\n  b: {driver: button, pin: 4}\n"))
                .hasMessageContaining(":4: actuators.b.driver: driver 'button' is a sensor and belongs under 'sensors'");
    }

    // ------------------------------------------------------------------------------- helpers

    private BoardProfile load(String yaml) throws Exception {
        Path f = dir.resolve("profile-" + Integer.toHexString(yaml.hashCode()) + ".yaml");
        Files.writeString(f, yaml);
        return BoardProfiles.load(f.toString());
    }

    private ConfigException refused(String yaml) throws Exception {
        Path f = dir.resolve("profile-" + Integer.toHexString(yaml.hashCode()) + ".yaml");
        Files.writeString(f, yaml);
        ConfigException e = catchThrowableOfType(() -> BoardProfiles.load(f.toString()), ConfigException.class);
        assertThat(e).as("refused:\n" + yaml).isNotNull();
        assertThat(e.source()).isEqualTo(f.toString());
        return e;
    }

    private static void assertLocated(ConfigException e, int line, String path, String problem) {
        assertThat(e.line()).as(e.getMessage()).isEqualTo(line == 0 ? OptionalInt.empty() : OptionalInt.of(line));
        assertThat(e.path()).as(e.getMessage()).isEqualTo(path);
        assertThat(e.problem()).as(e.getMessage()).contains(problem);
    }
}

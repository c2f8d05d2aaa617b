package dev.fieldline.boards;

import dev.fieldline.config.ConfigException;
import dev.fieldline.config.ConfigException.Reason;
import dev.fieldline.config.ConfigNode;
import dev.fieldline.protocol.PayloadFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Turns one resolved profile document into a {@link BoardProfile}, collecting every problem it can
 * find instead of stopping at the first. Not thread-safe; one per document.
 */
final class ProfileParser {
    private static final Set<String> TOP_KEYS = Set.of("name", "description", "platform", "chip", "providers", "bridge",
            "sampling-interval", "gpio-matrix", "adc", "pins", "i2c", "spi", "uart", "sensors", "actuators", "models", "uplink",
            "limits");
    private static final Map<String, List<String>> PI4J_PROVIDERS = Map.of(
            "digital", List.of(Providers.GPIOD, Providers.PIGPIO),
            "i2c", List.of(Providers.LINUXFS),
            "spi", List.of(Providers.LINUXFS),
            "pwm", List.of(Providers.LINUXFS),
            "serial", List.of(Providers.JSERIALCOMM),
            "ble", List.of(Providers.BLUEZ));
    /** The SoC of the Raspberry Pi 5, whose GPIOs sit behind the RP1 chip (pigpio cannot drive them). */
    static final String BCM2712 = "bcm2712";

    private final ConfigNode root;
    private final List<String> lineage;
    private final List<ConfigException> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    /** Pins in use: who took each first. */
    private final Map<Integer, Claim> pinClaims = new HashMap<>();
    /** Bus addresses and chip selects, ADC channels: who took each first. */
    private final Map<String, Claim> otherClaims = new HashMap<>();
    /** Buses whose pins are claimed already. */
    private final Set<String> busesInUse = new java.util.HashSet<>();

    private String name = "profile";
    private String platform = BoardProfile.SIM;
    private Pinout pinout = Pinout.NONE;
    private Providers providers = Providers.NONE;

    private record Claim(String what, ConfigNode at) {
    }

    /** A parsed device and where it was written. */
    private record Parsed(DeviceSpec spec, ConfigNode node) {
    }

    ProfileParser(ConfigNode root, List<String> lineage) {
        this.root = root;
        this.lineage = List.copyOf(lineage);
    }

    BoardProfile parse() {
        attempt(() -> root.allowOnly(TOP_KEYS));
        String description = attempt(() -> root.string("description", "")).orElse("");
        name = attempt(() -> root.require("name").parse(BoardProfile::requireName)).orElse(name);
        platform = attempt(() -> root.require("platform").parse(p -> {
            if (!BoardProfile.PLATFORMS.contains(p)) {
                throw new IllegalArgumentException("unknown platform '" + p + "'; platforms: "
                        + String.join(", ", BoardProfile.PLATFORMS));
            }
            return p;
        })).orElse(null);
        Optional<String> chip = attempt(() -> root.get("chip").map(c -> c.parse(BoardProfile::requireName)))
                .orElse(Optional.empty());
        Duration interval = attempt(() -> root.duration("sampling-interval", Duration.ofSeconds(1),
                BoardProfile.MIN_INTERVAL, BoardProfile.MAX_INTERVAL)).orElse(Duration.ofSeconds(1));
        if (platform != null) {
            providers = attempt(() -> providers(chip)).orElse(Providers.NONE);
        }
        pinout = attempt(this::pinout).orElse(Pinout.NONE);

        List<Parsed> sensors = devices("sensors", true);
        List<Parsed> actuators = devices("actuators", false);
        List<Parsed> all = new ArrayList<>(sensors);
        all.addAll(actuators);
        for (int i = 0; i < all.size(); i++) {
            Parsed p = all.get(i);
            all.set(i, attempt(() -> wire(p, all, interval)).orElse(p));
        }
        List<DeviceSpec> sensorSpecs = all.subList(0, sensors.size()).stream().map(Parsed::spec).toList();
        List<DeviceSpec> actuatorSpecs = all.subList(sensors.size(), all.size()).stream().map(Parsed::spec).toList();
        List<ModelSpec> models = new ArrayList<>();
        root.get("models").ifPresent(ms -> attempt(() -> {
            for (Map.Entry<String, ConfigNode> e : ms.entries()) {
                attempt(() -> models.add(ModelParser.model(e.getKey(), e.getValue(), sensorSpecs)));
            }
            return null;
        }));
        UplinkSettings uplink = attempt(() -> root.get("uplink").map(ProfileParser::uplink).orElse(UplinkSettings.NONE))
                .orElse(UplinkSettings.NONE);
        Limits limits = attempt(() -> root.get("limits").map(ProfileParser::limits).orElse(Limits.NONE))
                .orElse(Limits.NONE);
        if (!problems.isEmpty()) {
            throw ConfigException.of(problems);
        }
        try {
            return new BoardProfile(name, platform, description, chip, providers, pinout, interval, sensorSpecs,
                    actuatorSpecs, models, uplink, limits, lineage, warnings);
        } catch (IllegalArgumentException e) {
            throw root.error(Reason.INVALID_VALUE, e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------ collecting

    private <T> Optional<T> attempt(Supplier<T> step) {
        try {
            return Optional.ofNullable(step.get());
        } catch (ConfigException e) {
            problems.addAll(e.problems());
            return Optional.empty();
        }
    }

    private void attempt(Runnable step) {
        attempt(() -> {
            step.run();
            return null;
        });
    }

    // ------------------------------------------------------------------------------- providers

    private Providers providers(Optional<String> chip) {
        Optional<ConfigNode> section = root.get("providers");
        Optional<ConfigNode> bridgeNode = root.get("bridge");
        List<String> keys = new ArrayList<>(Providers.KINDS);
        keys.add("ble-adapter");
        section.ifPresent(s -> s.allowOnly(keys));
        Map<String, String> chosen = new LinkedHashMap<>();
        if (section.isPresent()) {
            for (String kind : Providers.KINDS) {
                Optional<ConfigNode> n = section.get().get(kind);
                if (n.isEmpty()) {
                    continue;
                }
                List<String> allowed = switch (platform) {
                    case BoardProfile.PI4J -> PI4J_PROVIDERS.get(kind);
                    case BoardProfile.ESP32_BRIDGE -> kind.equals("ble") ? List.of(Providers.BLUEZ) : List.of();
                    default -> List.of();
                };
                String value = n.get().asString();
                if (allowed.isEmpty()) {
                    throw n.get().error(Reason.INVALID_VALUE, platform.equals(BoardProfile.ESP32_BRIDGE)
                            ? "on esp32-bridge the ESP32 does the I/O; only 'ble' (the host's BlueZ) can be chosen here"
                            : "the " + platform + " platform has no " + kind + " providers");
                }
                if (!allowed.contains(value)) {
                    throw n.get().error(Reason.INVALID_VALUE, "unknown " + kind + " provider '" + value + "' for " + platform
                            + "; choose " + String.join(" or ", allowed));
                }
                if (kind.equals("digital") && value.equals(Providers.PIGPIO) && chip.filter(BCM2712::equals).isPresent()) {
                    throw n.get().error(Reason.INVALID_VALUE, "pigpio cannot drive a Raspberry Pi 5 (chip " + BCM2712
                            + ": its GPIOs are on the RP1 I/O controller); use gpiod");
                }
                chosen.put(kind, value);
            }
        }
        if (platform.equals(BoardProfile.PI4J) && !chosen.containsKey("digital")) {
            throw (section.isPresent() ? section.get() : root).error(Reason.MISSING_KEY,
                    "a pi4j board needs providers.digital: gpiod or pigpio (a Raspberry Pi 5: gpiod)");
        }
        Optional<SerialBridge> bridge = Optional.empty();
        if (platform.equals(BoardProfile.ESP32_BRIDGE)) {
            ConfigNode b = bridgeNode.orElseThrow(() -> root.error(Reason.MISSING_KEY,
                    "an esp32-bridge board needs 'bridge' with the serial port and baud rate, e.g. bridge: {port: /dev/ttyUSB0, baud: 115200}"));
            b.allowOnly(Set.of("port", "baud", "reset", "timeout"));
            try {
                bridge = Optional.of(new SerialBridge(b.require("port").asString(),
                        b.integer("baud", SerialBridge.DEFAULT_BAUD, 300, 4_000_000), b.bool("reset", true),
                        b.duration("timeout", SerialBridge.DEFAULT_TIMEOUT, Duration.ofMillis(10), Duration.ofMinutes(1))));
            } catch (IllegalArgumentException e) {
                throw b.error(Reason.INVALID_VALUE, e.getMessage());
            }
        } else if (bridgeNode.isPresent()) {
            throw bridgeNode.get().error(Reason.UNKNOWN_KEY, "'bridge' belongs to the esp32-bridge platform, not " + platform);
        }
        String adapter = section.flatMap(s -> s.get("ble-adapter")).map(a -> a.parse(s -> {
            if (!s.matches("hci[0-9]{1,2}")) {
                throw new IllegalArgumentException("a BlueZ adapter is hci0, hci1, ...; was '" + s + "'");
            }
            return s;
        })).orElse(Providers.DEFAULT_BLE_ADAPTER);
        return new Providers(opt(chosen, "digital"), opt(chosen, "i2c"), opt(chosen, "spi"), opt(chosen, "pwm"),
                opt(chosen, "serial"), opt(chosen, "ble"), adapter, bridge);
    }

    private static Optional<String> opt(Map<String, String> m, String k) {
        return Optional.ofNullable(m.get(k));
    }

    // ---------------------------------------------------------------------------------- pinout

    private Pinout pinout() {
        Optional<BoardProfile.Adc> adc = attempt(() -> root.get("adc").map(n -> {
            n.allowOnly(Set.of("bits", "reference-voltage"));
            return new BoardProfile.Adc(n.integer("bits", 12, 1, 24), n.number("reference-voltage", 3.3, 0.1, 50));
        })).orElse(Optional.empty());
        boolean matrix = attempt(() -> root.bool("gpio-matrix", false)).orElse(false);
        TreeMap<Integer, Pin> pins = new TreeMap<>();
        Map<Integer, ConfigNode> headers = new HashMap<>();
        root.get("pins").ifPresent(section -> attempt(() -> {
            for (Map.Entry<String, ConfigNode> e : section.entries()) {
                attempt(() -> {
                    Pin pin = pin(e.getKey(), e.getValue());
                    pin.header().ifPresent(h -> {
                        ConfigNode first = headers.putIfAbsent(h, e.getValue());
                        if (first != null) {
                            throw e.getValue().require("header").error(Reason.INVALID_VALUE, "header pin " + h
                                    + " is already given to " + first.path() + " (line " + first.line() + ")");
                        }
                    });
                    pins.put(pin.number(), pin);
                });
            }
            return null;
        }));
        Map<String, I2cBus> i2c = new LinkedHashMap<>();
        root.get("i2c").ifPresent(section -> attempt(() -> {
            for (Map.Entry<String, ConfigNode> e : section.entries()) {
                attempt(() -> i2c.put(e.getKey(), i2cBus(e.getKey(), e.getValue(), pins, matrix)));
            }
            return null;
        }));
        Map<String, SpiBus> spi = new LinkedHashMap<>();
        root.get("spi").ifPresent(section -> attempt(() -> {
            for (Map.Entry<String, ConfigNode> e : section.entries()) {
                attempt(() -> spi.put(e.getKey(), spiBus(e.getKey(), e.getValue(), pins, matrix)));
            }
            return null;
        }));
        Map<String, Uart> uart = new LinkedHashMap<>();
        root.get("uart").ifPresent(section -> attempt(() -> {
            for (Map.Entry<String, ConfigNode> e : section.entries()) {
                attempt(() -> uart.put(e.getKey(), uart(e.getKey(), e.getValue(), pins, matrix)));
            }
            return null;
        }));
        return new Pinout(pins, i2c, spi, uart, adc, matrix);
    }

    private static Pin pin(String key, ConfigNode n) {
        int number;
        try {
            number = Integer.parseInt(key);
        } catch (NumberFormatException e) {
            throw n.error(Reason.INVALID_VALUE, "pins are keyed by the board's GPIO number (0..255), not '" + key + "'");
        }
        if (number < 0 || number > 255) {
            throw n.error(Reason.INVALID_VALUE, "pins are keyed by the board's GPIO number (0..255), not " + number);
        }
        n.allowOnly(Set.of("header", "functions", "reserved", "strapping"));
        OptionalInt header = n.get("header").map(h -> OptionalInt.of(h.asInt(1, 512))).orElse(OptionalInt.empty());
        List<String> functions = new ArrayList<>();
        n.get("functions").ifPresent(fs -> {
            for (ConfigNode f : fs.asList()) {
                String fn = f.asString();
                if (!Pin.FUNCTION.matcher(fn).matches()) {
                    throw f.error(Reason.INVALID_VALUE, "unknown pin function '" + fn + "'; functions: gpio, input, pwm, "
                            + "pwmC.N, adcU.N, i2cB.sda|scl, spiB.mosi|miso|sclk|ceN, uartB.tx|rx|rts|cts");
                }
                if (functions.contains(fn)) {
                    throw f.error(Reason.INVALID_VALUE, "function '" + fn + "' is listed twice");
                }
                functions.add(fn);
            }
        });
        if (functions.contains("gpio") && functions.contains("input")) {
            throw n.require("functions").error(Reason.INVALID_VALUE,
                    "'input' means input-only; a pin with 'gpio' is an input already");
        }
        Optional<String> reserved = n.get("reserved").map(ConfigNode::asString);
        Optional<String> strapping = n.get("strapping").map(ConfigNode::asString);
        if (functions.isEmpty() && reserved.isEmpty()) {
            throw n.error(Reason.MISSING_KEY, "a pin needs 'functions' (what it can do) or 'reserved' (why it must not be used)");
        }
        return new Pin(number, header, functions, reserved, strapping);
    }

    private I2cBus i2cBus(String busName, ConfigNode n, Map<Integer, Pin> pins, boolean matrix) {
        if (!I2cBus.NAME.matcher(busName).matches()) {
            throw n.error(Reason.INVALID_VALUE, "an I2C bus is named i2c and its number (i2c0, i2c1, ...), not '" + busName + "'");
        }
        n.allowOnly(Set.of("sda", "scl", "device", "frequency"));
        int sda = busPin(n.require("sda"), busName, "sda", pins, matrix, true);
        int scl = busPin(n.require("scl"), busName, "scl", pins, matrix, true);
        Optional<String> device = n.get("device").map(ConfigNode::asString);
        requireDevice(n, device, "/dev/i2c-" + Buses.number(busName));
        try {
            return new I2cBus(busName, sda, scl, device,
                    n.integer("frequency", I2cBus.DEFAULT_FREQUENCY_HZ, 1_000, 3_400_000));
        } catch (IllegalArgumentException e) {
            throw n.error(Reason.INVALID_VALUE, e.getMessage());
        }
    }

    private SpiBus spiBus(String busName, ConfigNode n, Map<Integer, Pin> pins, boolean matrix) {
        if (!SpiBus.NAME.matcher(busName).matches()) {
            throw n.error(Reason.INVALID_VALUE, "an SPI bus is named spi and its number (spi0, spi1, ...), not '" + busName + "'");
        }
        if (BoardProfile.ESP32_BRIDGE.equals(platform)) {
            throw n.error(Reason.INVALID_VALUE, "the ESP32 bridge (protocol v1) offers GPIO, ADC, PWM and I2C, not SPI;"
                    + " use the ESP32's ADC1 pins for analog sensors, or put SPI devices on a Raspberry Pi");
        }
        n.allowOnly(Set.of("mosi", "miso", "sclk", "chip-selects", "device"));
        int mosi = busPin(n.require("mosi"), busName, "mosi", pins, matrix, true);
        int miso = busPin(n.require("miso"), busName, "miso", pins, matrix, false);
        int sclk = busPin(n.require("sclk"), busName, "sclk", pins, matrix, true);
        TreeMap<Integer, Integer> cs = new TreeMap<>();
        ConfigNode css = n.require("chip-selects");
        for (Map.Entry<String, ConfigNode> e : css.entries()) {
            int index;
            try {
                index = Integer.parseInt(e.getKey());
            } catch (NumberFormatException x) {
                throw e.getValue().error(Reason.INVALID_VALUE, "chip selects are keyed by their index (0, 1, ...), not '"
                        + e.getKey() + "'");
            }
            if (index < 0 || index > 9) {
                throw e.getValue().error(Reason.INVALID_VALUE, "a chip-select index is 0..9, was " + index);
            }
            cs.put(index, busPin(e.getValue(), busName, "ce" + index, pins, matrix, true));
        }
        if (cs.isEmpty()) {
            throw css.error(Reason.MISSING_KEY, "an SPI bus needs at least one chip select, e.g. chip-selects: {0: 8}");
        }
        Optional<String> device = n.get("device").map(ConfigNode::asString);
        requireDevice(n, device, "/dev/spidev" + Buses.number(busName));
        return new SpiBus(busName, mosi, miso, sclk, cs, device);
    }

    private Uart uart(String uartName, ConfigNode n, Map<Integer, Pin> pins, boolean matrix) {
        if (!Uart.NAME.matcher(uartName).matches()) {
            throw n.error(Reason.INVALID_VALUE, "a UART is named uart and its number (uart0, uart1, ...), not '" + uartName + "'");
        }
        if (BoardProfile.ESP32_BRIDGE.equals(platform)) {
            throw n.error(Reason.INVALID_VALUE, "the ESP32 bridge (protocol v1) offers GPIO, ADC, PWM and I2C, not UARTs;"
                    + " connect serial devices to the agent's host");
        }
        n.allowOnly(Set.of("tx", "rx", "device", "baud", "data-bits", "parity", "stop-bits"));
        requireProvider(n, "serial", uartName);
        int tx = busPin(n.require("tx"), uartName, "tx", pins, matrix, true);
        int rx = busPin(n.require("rx"), uartName, "rx", pins, matrix, false);
        if (tx == rx) {
            throw n.require("rx").error(Reason.INVALID_VALUE, "GPIO" + rx + " is already " + uartName
                    + " TX; TX and RX are two pins");
        }
        Optional<String> device = n.get("device").map(ConfigNode::asString);
        requireDevice(n, device, "/dev/serial0");
        Uart.Parity parity = n.get("parity").map(p -> p.parse(s -> switch (s.toLowerCase(Locale.ROOT)) {
            case "none" -> Uart.Parity.NONE;
            case "even" -> Uart.Parity.EVEN;
            case "odd" -> Uart.Parity.ODD;
            default -> throw new IllegalArgumentException("parity is none, even or odd, not '" + s + "'");
        })).orElse(Uart.Parity.NONE);
        int stopBits = n.integer("stop-bits", Uart.DEFAULT_STOP_BITS, 1, 2);
        try {
            return new Uart(uartName, tx, rx, device, n.integer("baud", Uart.DEFAULT_BAUD, 300, 4_000_000),
                    n.integer("data-bits", Uart.DEFAULT_DATA_BITS, 5, 8), parity, stopBits);
        } catch (IllegalArgumentException e) {
            throw n.error(Reason.INVALID_VALUE, e.getMessage());
        }
    }

    private void requireDevice(ConfigNode bus, Optional<String> device, String example) {
        if (BoardProfile.PI4J.equals(platform) && device.isEmpty()) {
            throw bus.error(Reason.MISSING_KEY, "a pi4j bus needs its Linux device, e.g. device: " + example);
        }
        device.ifPresent(d -> {
            if (!d.startsWith("/dev/") || d.length() > 64) {
                throw bus.require("device").error(Reason.INVALID_VALUE, "expected a device file under /dev/, e.g. " + example);
            }
        });
    }

    /** A bus line's pin: one that lists {@code bus.role}, or with a GPIO matrix any usable GPIO. */
    private static int busPin(ConfigNode n, String bus, String role, Map<Integer, Pin> pins, boolean matrix, boolean output) {
        int number = n.asInt(0, 255);
        String function = bus + "." + role;
        Pin pin = pins.get(number);
        if (pin == null) {
            throw n.error(Reason.INVALID_VALUE, "this board has no GPIO" + number + "; pins: " + ranges(pins.keySet()));
        }
        if (pin.reserved().isPresent()) {
            throw n.error(Reason.INVALID_VALUE, pin.label() + " is reserved: " + pin.reserved().get());
        }
        if (pin.has(function)) {
            return number;
        }
        if (matrix && (output ? pin.canOutput() : pin.canInput())) {
            return number;
        }
        List<String> able = pins.values().stream().filter(p -> p.reserved().isEmpty())
                .filter(p -> p.has(function) || (matrix && (output ? p.canOutput() : p.canInput())))
                .map(Pin::label).toList();
        throw n.error(Reason.INVALID_VALUE, pin.label() + " cannot carry " + bus + " " + role.toUpperCase(Locale.ROOT)
                + " (it can do: " + String.join(", ", pin.functions()) + "); "
                + (able.isEmpty() ? "no pin of this board can" : "it can be on " + String.join(", ", able)));
    }

    // --------------------------------------------------------------------------------- devices

    private List<Parsed> devices(String section, boolean sensors) {
        List<Parsed> out = new ArrayList<>();
        root.get(section).ifPresent(s -> attempt(() -> {
            for (Map.Entry<String, ConfigNode> e : s.entries()) {
                attempt(() -> out.add(new Parsed(device(e.getKey(), e.getValue(), sensors), e.getValue())));
            }
            return null;
        }));
        return out;
    }

    private DeviceSpec device(String deviceName, ConfigNode n, boolean inSensors) {
        ConfigNode nameCheck = n;
        try {
            BoardProfile.requireName(deviceName);
        } catch (IllegalArgumentException e) {
            throw nameCheck.error(Reason.INVALID_VALUE, "device " + e.getMessage());
        }
        ConfigNode driverNode = n.require("driver");
        String driver = driverNode.asString();
        if (!DeviceSpec.DRIVERS.contains(driver)) {
            throw driverNode.error(Reason.INVALID_VALUE, "unknown driver '" + driver + "'; known drivers: "
                    + String.join(", ", DeviceSpec.DRIVERS));
        }
        Optional<Duration> interval = Optional.empty();
        try {
            DeviceSpec spec = switch (driver) {
                case "tmp36" -> {
                    n.allowOnly(Set.of("driver", "pin", "adc", "channel", "interval"));
                    Optional<ConfigNode> pin = n.get("pin");
                    Optional<ConfigNode> adc = n.get("adc");
                    if (pin.isPresent() == adc.isPresent()) {
                        throw n.error(pin.isPresent() ? Reason.INVALID_VALUE : Reason.MISSING_KEY,
                                "a tmp36 reads either the board's ADC ('pin: GPIO number') or an ADC chip ('adc: NAME' and "
                                        + "'channel: 0..7'), not " + (pin.isPresent() ? "both" : "neither"));
                    }
                    DeviceSpec.AnalogSource source;
                    if (pin.isPresent()) {
                        if (n.get("channel").isPresent()) {
                            throw n.require("channel").error(Reason.INVALID_VALUE,
                                    "'channel' goes with 'adc' (an ADC chip); on the board's ADC the pin decides the channel");
                        }
                        int p = pin.get().asInt(0, 255);
                        source = new DeviceSpec.AnalogSource.BoardAdc(p, 0, 0); // unit and channel filled in by wire()
                    } else {
                        source = new DeviceSpec.AnalogSource.AdcChip(adc.get().parse(BoardProfile::requireName),
                                n.require("channel").asInt(0, 7));
                    }
                    yield new DeviceSpec.Tmp36(deviceName, source, interval(n));
                }
                case "mcp3008" -> {
                    n.allowOnly(Set.of("driver", "spi", "chip-select", "reference-voltage", "report", "interval"));
                    List<Integer> report = new ArrayList<>();
                    n.get("report").ifPresent(r -> {
                        for (ConfigNode c : r.asList()) {
                            int ch = c.asInt(0, 7);
                            if (report.contains(ch)) {
                                throw c.error(Reason.INVALID_VALUE, "channel " + ch + " is listed twice");
                            }
                            report.add(ch);
                        }
                    });
                    yield new DeviceSpec.Mcp3008(deviceName, n.require("spi").asString(), n.integer("chip-select", 0, 0, 9),
                            n.number("reference-voltage", 3.3, 0.1, 5.5), report, interval(n));
                }
                case "bme280" -> {
                    n.allowOnly(Set.of("driver", "i2c", "address", "interval"));
                    yield new DeviceSpec.Bme280(deviceName, n.require("i2c").asString(), address(n, 0x76), interval(n));
                }
                case "tmp102" -> {
                    n.allowOnly(Set.of("driver", "i2c", "address", "interval"));
                    yield new DeviceSpec.Tmp102(deviceName, n.require("i2c").asString(), address(n, 0x48), interval(n));
                }
                case "button" -> {
                    n.allowOnly(Set.of("driver", "pin", "active-low", "pull", "debounce", "interval"));
                    boolean activeLow = n.bool("active-low", false);
                    DeviceSpec.Pull pull = n.get("pull").map(p -> p.parse(DeviceSpec.Pull::parse))
                            .orElse(activeLow ? DeviceSpec.Pull.UP : DeviceSpec.Pull.DOWN);
                    yield new DeviceSpec.Button(deviceName, n.require("pin").asInt(0, 255), activeLow,
                            n.duration("debounce", Duration.ofMillis(20), Duration.ZERO, Duration.ofSeconds(1)), pull,
                            interval(n));
                }
                case "led" -> {
                    n.allowOnly(Set.of("driver", "pin", "active-low"));
                    yield new DeviceSpec.Led(deviceName, n.require("pin").asInt(0, 255), n.bool("active-low", false));
                }
                case "relay" -> {
                    n.allowOnly(Set.of("driver", "pin", "active-low", "safe-state"));
                    boolean safeOn = n.get("safe-state").map(s -> s.parse(v -> switch (v) {
                        case "off" -> false;
                        case "on" -> true;
                        default -> throw new IllegalArgumentException("expected off or on, got '" + v + "'");
                    })).orElse(false);
                    yield new DeviceSpec.Relay(deviceName, n.require("pin").asInt(0, 255), n.bool("active-low", true), safeOn);
                }
                case "ble-ess", "bthome" -> {
                    boolean bthome = driver.equals("bthome");
                    n.allowOnly(bthome ? Set.of("driver", "address", "name-prefix", "quantities", "key", "stale-after", "interval")
                            : Set.of("driver", "address", "name-prefix", "stale-after", "interval"));
                    DeviceSpec.BleFilter filter;
                    try {
                        filter = new DeviceSpec.BleFilter(n.get("address").map(ConfigNode::asString),
                                n.get("name-prefix").map(ConfigNode::asString));
                    } catch (IllegalArgumentException e) {
                        throw n.get("address").orElse(n).error(n.get("address").isPresent() || n.get("name-prefix").isPresent()
                                ? Reason.INVALID_VALUE : Reason.MISSING_KEY, e.getMessage());
                    }
                    Duration stale = n.duration("stale-after", Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofDays(1));
                    if (!bthome) {
                        yield new DeviceSpec.BleEss(deviceName, filter, stale, interval(n));
                    }
                    List<String> quantities = new ArrayList<>();
                    n.get("quantities").ifPresent(qs -> qs.asList().forEach(q -> quantities.add(q.asString())));
                    Optional<String> key = n.get("key").map(ConfigNode::asString);
                    try {
                        yield new DeviceSpec.Bthome(deviceName, filter,
                                quantities.isEmpty() ? DeviceSpec.Bthome.DEFAULT_QUANTITIES : quantities, key, stale, interval(n));
                    } catch (IllegalArgumentException e) {
                        // never echo a key
                        throw (e.getMessage().contains("key") ? n.require("key") : n.get("quantities").orElse(n))
                                .error(Reason.INVALID_VALUE, e.getMessage());
                    }
                }
                default -> throw new IllegalStateException(driver);
            };
            if (spec.isSensor() != inSensors) {
                throw driverNode.error(Reason.INVALID_VALUE, "driver '" + driver + "' is " + (spec.isSensor() ? "a sensor" : "an actuator")
                        + " and belongs under '" + (spec.isSensor() ? "sensors" : "actuators") + "'");
            }
            return spec;
        } catch (IllegalArgumentException e) {
            throw n.error(Reason.INVALID_VALUE, e.getMessage());
        }
    }

    private static Optional<Duration> interval(ConfigNode n) {
        return n.get("interval").map(i -> i.asDuration(BoardProfile.MIN_INTERVAL, BoardProfile.MAX_INTERVAL));
    }

    /** An I2C address: {@code 0x76} or {@code 118}. */
    private static int address(ConfigNode n, int otherwise) {
        return n.get("address").map(a -> a.parse(s -> {
            String t = s.strip().toLowerCase(Locale.ROOT);
            int v;
            try {
                v = t.startsWith("0x") ? Integer.parseInt(t.substring(2), 16) : Integer.parseInt(t);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a 7-bit I2C address such as 0x76, got '" + s + "'");
            }
            if (v < 0x08 || v > 0x77) {
                throw new IllegalArgumentException("a 7-bit I2C address is 0x08..0x77, was " + s);
            }
            return v;
        })).orElse(otherwise);
    }

    // ---------------------------------------------------------------------------------- wiring

    /** Checks a device against the board and claims what it uses; a tmp36 on the board's ADC comes back with its channel. */
    private Parsed wire(Parsed p, List<Parsed> all, Duration boardInterval) {
        DeviceSpec d = p.spec();
        ConfigNode n = p.node();
        String who = (d.isSensor() ? "sensors." : "actuators.") + d.name();
        d.interval().ifPresent(i -> {
            if (i.compareTo(boardInterval) < 0) {
                warn(n.require("interval"), "shorter than the board's sampling-interval (" + ConfigNode.text(boardInterval)
                        + "); " + d.name() + " is read once per board sample");
            }
        });
        if (d instanceof DeviceSpec.Tmp36 t && t.source() instanceof DeviceSpec.AnalogSource.BoardAdc b) {
            ConfigNode pinNode = n.require("pin");
            Pin pin = usablePin(pinNode, b.pin());
            Pin.AdcChannel ch = pin.adc().orElseThrow(() -> pinNode.error(Reason.INVALID_VALUE, noAdc(pin)));
            if (pinout.adc().isEmpty()) {
                throw pinNode.error(Reason.INVALID_VALUE, "this board's profile has no 'adc' section (bits, reference-voltage)");
            }
            claimPin(pinNode, pin, who + " (tmp36)");
            return new Parsed(new DeviceSpec.Tmp36(t.name(),
                    new DeviceSpec.AnalogSource.BoardAdc(b.pin(), ch.unit(), ch.channel()), t.interval()), n);
        } else if (d instanceof DeviceSpec.Tmp36 t && t.source() instanceof DeviceSpec.AnalogSource.AdcChip c) {
            ConfigNode adcNode = n.require("adc");
            List<String> chips = all.stream().filter(x -> x.spec() instanceof DeviceSpec.Mcp3008)
                    .map(x -> x.spec().name()).toList();
            if (!chips.contains(c.adc())) {
                throw adcNode.error(Reason.INVALID_VALUE, "no ADC chip '" + c.adc() + "' on this board; "
                        + (chips.isEmpty() ? "declare one under sensors (driver: mcp3008, spi: BUS, chip-select: N)"
                                : "ADC chips: " + String.join(", ", chips)));
            }
            claim(n.require("channel"), c.adc() + " channel " + c.channel(), who + " (tmp36)");
        } else if (d instanceof DeviceSpec.Mcp3008 m) {
            SpiBus bus = spiBus(n.require("spi"), m.bus(), who);
            ConfigNode csNode = n.get("chip-select").orElse(n);
            Integer csPin = bus.chipSelects().get(m.chipSelect());
            if (csPin == null) {
                throw csNode.error(Reason.INVALID_VALUE, bus.name() + " has no chip select " + m.chipSelect()
                        + "; chip selects: " + bus.chipSelects().keySet());
            }
            claim(csNode, bus.name() + " chip select " + m.chipSelect(), who + " (mcp3008)");
            claimPin(csNode, pinout.pins().get(csPin), bus.name() + " CE" + m.chipSelect() + " of " + who);
        } else if (d instanceof DeviceSpec.Bme280 b) {
            i2cDevice(n, b.bus(), b.address(), who + " (bme280)");
        } else if (d instanceof DeviceSpec.Tmp102 t) {
            i2cDevice(n, t.bus(), t.address(), who + " (tmp102)");
        } else if (d instanceof DeviceSpec.Button b) {
            ConfigNode pinNode = n.require("pin");
            Pin pin = usablePin(pinNode, b.pin());
            if (!pin.canInput()) {
                throw pinNode.error(Reason.INVALID_VALUE, pin.label() + " cannot be a digital input (it can do: "
                        + String.join(", ", pin.functions()) + ")");
            }
            if (!pin.hasPulls() && b.pull() != DeviceSpec.Pull.NONE) {
                throw n.get("pull").orElse(pinNode).error(Reason.INVALID_VALUE, pin.label()
                        + " is input-only and has no pull resistors: write pull: none and fit an external "
                        + (b.pull() == DeviceSpec.Pull.UP ? "pull-up" : "pull-down") + " resistor");
            }
            requireProvider(pinNode, "digital", who);
            claimPin(pinNode, pin, who + " (button)");
        } else if (d instanceof DeviceSpec.Led l) {
            outputPin(n, l.pin(), who + " (led)", "led");
        } else if (d instanceof DeviceSpec.Relay r) {
            outputPin(n, r.pin(), who + " (relay)", "relay");
        } else if (d instanceof DeviceSpec.BleEss || d instanceof DeviceSpec.Bthome) {
            requireBle(n, who);
        }
        return p;
    }

    private void requireBle(ConfigNode n, String who) {
        if (providers.ble().isEmpty()) {
            throw n.require("driver").error(Reason.INVALID_VALUE, who + " is a BLE sensor, but this board has no BLE provider"
                    + (BoardProfile.SIM.equals(platform) ? " (the sim platform has none)" : "; add providers: {ble: bluez}"));
        }
    }

    private void requireProvider(ConfigNode at, String kind, String who) {
        if (BoardProfile.PI4J.equals(platform) && providers.of(kind).isEmpty()) {
            throw at.error(Reason.INVALID_VALUE, who + " needs " + kind.toUpperCase(Locale.ROOT)
                    + ", but providers." + kind + " is not set (pi4j: " + String.join(" or ", PI4J_PROVIDERS.get(kind)) + ")");
        }
    }

    private void outputPin(ConfigNode n, int number, String who, String driver) {
        ConfigNode pinNode = n.require("pin");
        Pin pin = usablePin(pinNode, number);
        requireProvider(pinNode, "digital", who);
        if (!pin.canOutput()) {
            List<String> outputs = pinout.pins().values().stream().filter(p -> p.reserved().isEmpty() && p.canOutput())
                    .map(p -> Integer.toString(p.number())).toList();
            throw pinNode.error(Reason.INVALID_VALUE, pin.label() + (pin.has("input") ? " is input-only (no output driver)"
                    : " cannot drive an output (it can do: " + String.join(", ", pin.functions()) + ")")
                    + "; a " + driver + " needs an output pin: " + ranges(outputs.stream().map(Integer::valueOf).toList()));
        }
        claimPin(pinNode, pin, who);
    }

    private SpiBus spiBus(ConfigNode at, String busName, String who) {
        requireProvider(at, "spi", who);
        SpiBus bus = pinout.spi().get(busName);
        if (bus == null) {
            throw at.error(Reason.INVALID_VALUE, "no SPI bus '" + busName + "' on this board; SPI buses: "
                    + (pinout.spi().isEmpty() ? "none" : String.join(", ", pinout.spi().keySet())));
        }
        if (busesInUse.add(busName)) {
            claimPin(at, pinout.pins().get(bus.mosi()), busName + " MOSI (for " + who + ")");
            claimPin(at, pinout.pins().get(bus.miso()), busName + " MISO (for " + who + ")");
            claimPin(at, pinout.pins().get(bus.sclk()), busName + " SCLK (for " + who + ")");
        }
        return bus;
    }

    private void i2cDevice(ConfigNode n, String busName, int address, String who) {
        ConfigNode at = n.require("i2c");
        requireProvider(at, "i2c", who);
        I2cBus bus = pinout.i2c().get(busName);
        if (bus == null) {
            throw at.error(Reason.INVALID_VALUE, "no I2C bus '" + busName + "' on this board; I2C buses: "
                    + (pinout.i2c().isEmpty() ? "none" : String.join(", ", pinout.i2c().keySet())));
        }
        if (busesInUse.add(busName)) {
            claimPin(at, pinout.pins().get(bus.sda()), busName + " SDA (for " + who + ")");
            claimPin(at, pinout.pins().get(bus.scl()), busName + " SCL (for " + who + ")");
        }
        claim(n.get("address").orElse(at), busName + " address " + DeviceSpec.hex(address), who);
    }

    /** The pin, which must exist and not be reserved. */
    private Pin usablePin(ConfigNode at, int number) {
        Pin pin = pinout.pins().get(number);
        if (pin == null) {
            throw at.error(Reason.INVALID_VALUE, "this board has no GPIO" + number + (pinout.pins().isEmpty()
                    ? " (its profile declares no pins)" : "; pins: " + ranges(pinout.pins().keySet())));
        }
        if (pin.reserved().isPresent()) {
            throw at.error(Reason.INVALID_VALUE, pin.label() + " is reserved: " + pin.reserved().get());
        }
        return pin;
    }

    private String noAdc(Pin pin) {
        List<String> adcPins = pinout.pins().values().stream().filter(p -> p.reserved().isEmpty() && p.adc().isPresent())
                .map(p -> p.number() + " (" + p.adc().get() + ")").toList();
        String can = pin.label() + " has no ADC input (it can do: " + String.join(", ", pin.functions()) + ")";
        if (adcPins.isEmpty()) {
            return can + "; " + name + " has no ADC on any pin" + (BoardProfile.PI4J.equals(platform)
                    ? " (a Raspberry Pi has none)" : "")
                    + ": put an ADC chip on a bus (driver: mcp3008) and give the tmp36 'adc: NAME' and 'channel: 0..7'";
        }
        return can + "; ADC pins: " + String.join(", ", adcPins);
    }

    private void claimPin(ConfigNode at, Pin pin, String what) {
        Claim first = pinClaims.putIfAbsent(pin.number(), new Claim(what, at));
        if (first != null) {
            throw at.error(Reason.INVALID_VALUE, pin.label() + " is already used by " + first.what() + " ("
                    + first.at().path() + ", line " + first.at().line() + ")");
        }
        pin.strapping().ifPresent(s -> warn(at, pin.label() + " is a strapping pin: " + s));
    }

    private void claim(ConfigNode at, String resource, String what) {
        Claim first = otherClaims.putIfAbsent(resource, new Claim(what, at));
        if (first != null) {
            throw at.error(Reason.INVALID_VALUE, resource + " is already used by " + first.what() + " ("
                    + first.at().path() + ", line " + first.at().line() + ")");
        }
    }

    private void warn(ConfigNode at, String text) {
        warnings.add(at.source() + (at.line() > 0 ? ":" + at.line() : "") + ": " + at.path() + ": " + text);
    }

    // --------------------------------------------------------------------------- uplink, limits

    private static UplinkSettings uplink(ConfigNode n) {
        n.allowOnly(Set.of("payload-format", "heartbeat-interval", "max-in-flight"));
        return new UplinkSettings(
                n.get("payload-format").map(f -> f.parse(s -> switch (s.toLowerCase(Locale.ROOT)) {
                    case "cbor" -> PayloadFormat.CBOR;
                    case "json" -> PayloadFormat.JSON;
                    default -> throw new IllegalArgumentException("expected cbor or json, got '" + s + "'");
                })),
                n.get("heartbeat-interval").map(h -> h.asDuration(Duration.ofMillis(100), Duration.ofDays(1))),
                n.get("max-in-flight").map(m -> OptionalInt.of(m.asInt(1, 65_535))).orElse(OptionalInt.empty()));
    }

    private static Limits limits(ConfigNode n) {
        n.allowOnly(Set.of("heap", "journal"));
        return new Limits(
                n.get("heap").map(h -> OptionalLong.of(h.asSize(16L << 20, 64L << 30))).orElse(OptionalLong.empty()),
                n.get("journal").map(j -> OptionalLong.of(j.asSize(1L << 10, 1L << 40))).orElse(OptionalLong.empty()));
    }

    /** {@code 0..27} style ranges of pin numbers. */
    static String ranges(java.util.Collection<Integer> numbers) {
        List<Integer> sorted = numbers.stream().sorted().distinct().toList();
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < sorted.size(); ) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
                j++;
            }
            parts.add(j == i ? Integer.toString(sorted.get(i))
                    : j == i + 1 ? sorted.get(i) + ", " + sorted.get(j) : sorted.get(i) + ".." + sorted.get(j));
            i = j + 1;
        }
        return parts.isEmpty() ? "none" : parts.stream().collect(Collectors.joining(", "));
    }
}

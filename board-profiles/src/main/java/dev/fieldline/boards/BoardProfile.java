package dev.fieldline.boards;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a board has and how it is wired: the HAL platform and the providers that drive it, its pins
 * and buses, the sensors and actuators attached, sampling intervals, uplink settings, inference
 * models and resource limits. Loaded from YAML by {@link BoardProfiles}, which checks the wiring
 * against the pins; immutable.
 *
 * @param name profile name, e.g. {@code rpi4b}
 * @param platform HAL platform that drives the board: {@code sim}, {@code pi4j} or {@code esp32-bridge}
 * @param description one line for humans
 * @param chip the SoC ({@code bcm2711}, {@code bcm2712}, {@code esp32}, {@code esp32s3}), if the profile says
 * @param providers the HAL provider per I/O kind, and the bridge's serial link
 * @param pinout pins, buses and the board's ADC
 * @param samplingInterval default interval between samples
 * @param sensors inputs, in profile order
 * @param actuators outputs, in profile order
 * @param models models the agent's inference stage runs, in profile order
 * @param uplink uplink settings the agent uses unless its configuration sets them
 * @param limits heap and journal size
 * @param lineage the profiles this one extends, nearest first ({@code [rpi4b]}); empty for a stock board
 * @param warnings things that work but deserve a look (a strapping pin in use), each located
 */
public record BoardProfile(
        String name,
        String platform,
        String description,
        Optional<String> chip,
        Providers providers,
        Pinout pinout,
        Duration samplingInterval,
        List<DeviceSpec> sensors,
        List<DeviceSpec> actuators,
        List<ModelSpec> models,
        UplinkSettings uplink,
        Limits limits,
        List<String> lineage,
        List<String> warnings) {

    public static final String SIM = "sim";
    public static final String PI4J = "pi4j";
    public static final String ESP32_BRIDGE = "esp32-bridge";
    /** The platforms a profile may name. */
    public static final List<String> PLATFORMS = List.of(SIM, PI4J, ESP32_BRIDGE);
    public static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    public static final Duration MAX_INTERVAL = Duration.ofHours(1);

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

    public BoardProfile {
        requireName(name);
        requireName(platform);
        if (description == null || chip == null || providers == null || pinout == null || uplink == null
                || limits == null) {
            throw new IllegalArgumentException("description, chip, providers, pinout, uplink and limits must not be null");
        }
        if (samplingInterval == null || samplingInterval.compareTo(MIN_INTERVAL) < 0
                || samplingInterval.compareTo(MAX_INTERVAL) > 0) {
            throw new IllegalArgumentException("samplingInterval must be between 100ms and 1h, was " + samplingInterval);
        }
        sensors = List.copyOf(sensors);
        actuators = List.copyOf(actuators);
        models = List.copyOf(models);
        lineage = List.copyOf(lineage);
        warnings = List.copyOf(warnings);
        Set<String> names = new HashSet<>();
        for (DeviceSpec d : sensors) {
            if (!d.isSensor()) {
                throw new IllegalArgumentException("'" + d.name() + "' (" + d.driver() + ") is an actuator, not a sensor");
            }
            if (!names.add(d.name())) {
                throw new IllegalArgumentException("device name '" + d.name() + "' is used twice");
            }
        }
        for (DeviceSpec d : actuators) {
            if (d.isSensor()) {
                throw new IllegalArgumentException("'" + d.name() + "' (" + d.driver() + ") is a sensor, not an actuator");
            }
            if (!names.add(d.name())) {
                throw new IllegalArgumentException("device name '" + d.name() + "' is used twice");
            }
        }
        Set<String> modelNames = new HashSet<>();
        for (ModelSpec m : models) {
            if (!modelNames.add(m.name())) {
                throw new IllegalArgumentException("model name '" + m.name() + "' is used twice");
            }
            if (m.input() instanceof ModelSpec.Input.SensorWindow w
                    && sensors.stream().noneMatch(d -> d.name().equals(w.sensor()) && d.isSingleNumber())) {
                throw new IllegalArgumentException("model '" + m.name() + "' reads sensor '" + w.sensor()
                        + "', which is not a numeric sensor of this board");
            }
        }
    }

    /**
     * The board's ADC.
     *
     * @param bits resolution, e.g. 12 for counts 0..4095
     * @param referenceVolts full-scale voltage
     */
    public record Adc(int bits, double referenceVolts) {
        public Adc {
            if (bits < 1 || bits > 24) {
                throw new IllegalArgumentException("bits must be 1..24, was " + bits);
            }
            if (!(referenceVolts > 0 && referenceVolts <= 50)) {
                throw new IllegalArgumentException("referenceVolts must be in (0, 50], was " + referenceVolts);
            }
        }

        /** The largest raw count, {@code 2^bits - 1}. */
        public int maxCount() {
            return (1 << bits) - 1;
        }
    }

    /** The board's own ADC, if it has one (never on a Raspberry Pi). */
    public Optional<Adc> adc() {
        return pinout.adc();
    }

    /** The device with this name, sensor or actuator. */
    public Optional<DeviceSpec> device(String deviceName) {
        return devices().filter(d -> d.name().equals(deviceName)).findFirst();
    }

    /** Sensors, then actuators. */
    public Stream<DeviceSpec> devices() {
        return Stream.concat(sensors.stream(), actuators.stream());
    }

    /** This profile without its models (an agent that only samples). */
    public BoardProfile withoutModels() {
        return new BoardProfile(name, platform, description, chip, providers, pinout, samplingInterval, sensors,
                actuators, List.of(), uplink, limits, lineage, warnings);
    }

    static String requireName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name '" + name + "' must be 1-32 of a-z 0-9 _ -, starting with a letter");
        }
        return name;
    }
}

package dev.fieldline.boards;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a board has and how it is wired: the HAL platform that drives it, its ADC, and its sensors
 * and actuators. Loaded from YAML by {@link BoardProfiles}; immutable.
 *
 * @param name profile name, e.g. {@code sim}
 * @param platform HAL provider that drives the board, e.g. {@code sim}
 * @param description one line for humans
 * @param samplingInterval default interval between samples
 * @param adc the analog-to-digital converter
 * @param sensors inputs, in profile order
 * @param actuators outputs, in profile order
 * @param models models the agent's inference stage runs, in profile order
 */
public record BoardProfile(
        String name,
        String platform,
        String description,
        Duration samplingInterval,
        Adc adc,
        List<DeviceSpec> sensors,
        List<DeviceSpec> actuators,
        List<ModelSpec> models) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

    public BoardProfile {
        requireName(name);
        requireName(platform);
        if (samplingInterval == null || samplingInterval.isNegative() || samplingInterval.isZero()) {
            throw new IllegalArgumentException("samplingInterval must be positive, was " + samplingInterval);
        }
        if (adc == null) {
            throw new IllegalArgumentException("adc must not be null");
        }
        sensors = List.copyOf(sensors);
        actuators = List.copyOf(actuators);
        models = List.copyOf(models);
        Set<String> names = new HashSet<>();
        for (DeviceSpec d : sensors) {
            if (!names.add(d.name())) {
                throw new IllegalArgumentException("device name '" + d.name() + "' is used twice");
            }
        }
        for (DeviceSpec d : actuators) {
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
                    && !sensors.stream().anyMatch(d -> d.name().equals(w.sensor()) && d instanceof DeviceSpec.Tmp36)) {
                throw new IllegalArgumentException("model '" + m.name() + "' reads sensor '" + w.sensor()
                        + "', which is not a numeric sensor of this board");
            }
        }
    }

    /** A profile without models (boards that only sample). */
    public BoardProfile(String name, String platform, String description, Duration samplingInterval, Adc adc,
            List<DeviceSpec> sensors, List<DeviceSpec> actuators) {
        this(name, platform, description, samplingInterval, adc, sensors, actuators, List.of());
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

    /** The device with this name, sensor or actuator. */
    public Optional<DeviceSpec> device(String deviceName) {
        return java.util.stream.Stream.concat(sensors.stream(), actuators.stream())
                .filter(d -> d.name().equals(deviceName)).findFirst();
    }

    static String requireName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name '" + name + "' must be 1-32 of a-z 0-9 _ -, starting with a letter");
        }
        return name;
    }
}

package dev.fieldline.boards;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A sensor or actuator on a board and how it is wired. The name is also the SenML record name the
 * agent reports its readings under ({@code name} for one quantity, {@code name/quantity} for
 * several). Immutable; {@link BoardProfiles} checks the wiring against the board's pins and buses.
 */
public sealed interface DeviceSpec {

    /** Driver names, as written in a profile. */
    List<String> DRIVERS = List.of("ble-ess", "bme280", "bthome", "button", "led", "mcp3008", "relay", "tmp102", "tmp36");

    String name();

    /** The driver name as written in the profile. */
    String driver();

    /** True for inputs (under {@code sensors:}), false for outputs (under {@code actuators:}). */
    boolean isSensor();

    /** This sensor's own sampling interval; empty means the board's. */
    default Optional<Duration> interval() {
        return Optional.empty();
    }

    /** True when the sensor yields one number under its own name (a model can read it as a window). */
    default boolean isSingleNumber() {
        return false;
    }

    // ------------------------------------------------------------------------------------ sensors

    /** Where an analog sensor's voltage is converted. */
    sealed interface AnalogSource {
        /**
         * The board's own ADC, on a pin that has an ADC channel (ESP32 ADC1; the sim board).
         *
         * @param pin the GPIO number
         * @param unit the ADC unit
         * @param channel the channel of that unit
         */
        record BoardAdc(int pin, int unit, int channel) implements AnalogSource {
        }

        /**
         * A channel of an ADC chip declared in the same profile (an {@code mcp3008} sensor).
         *
         * @param adc the ADC chip's device name
         * @param channel its channel
         */
        record AdcChip(String adc, int channel) implements AnalogSource {
            public AdcChip {
                BoardProfile.requireName(adc);
                if (channel < 0 || channel > 7) {
                    throw new IllegalArgumentException("channel must be 0..7, was " + channel);
                }
            }
        }
    }

    /** TMP36 analog temperature sensor (10 mV/°C, 500 mV at 0 °C) on an ADC input. */
    record Tmp36(String name, AnalogSource source, Optional<Duration> interval) implements DeviceSpec {
        public Tmp36 {
            BoardProfile.requireName(name);
            requireNonNull(source, "source");
            requireInterval(interval);
        }

        /** On the board's own ADC at {@code pin} (unit 0, channel = pin: the sim board's numbering). */
        public Tmp36(String name, int pin) {
            this(name, new AnalogSource.BoardAdc(pin, 0, pin), Optional.empty());
        }

        @Override
        public String driver() {
            return "tmp36";
        }

        @Override
        public boolean isSensor() {
            return true;
        }

        @Override
        public boolean isSingleNumber() {
            return true;
        }
    }

    /**
     * MCP3008: an 8-channel 10-bit SPI ADC. Other sensors read its channels ({@code tmp36} with
     * {@code adc: NAME}); the channels in {@code report} are also sent as voltages ({@code NAME/chN}, V).
     */
    record Mcp3008(String name, String bus, int chipSelect, double referenceVolts, List<Integer> report,
            Optional<Duration> interval) implements DeviceSpec {
        public static final int BITS = 10;

        public Mcp3008 {
            BoardProfile.requireName(name);
            requireNonNull(bus, "bus");
            if (chipSelect < 0 || chipSelect > 15) {
                throw new IllegalArgumentException("chipSelect must be 0..15, was " + chipSelect);
            }
            if (!(referenceVolts > 0 && referenceVolts <= 5.5)) {
                throw new IllegalArgumentException("referenceVolts must be in (0, 5.5], was " + referenceVolts);
            }
            report = List.copyOf(report);
            for (int ch : report) {
                if (ch < 0 || ch > 7) {
                    throw new IllegalArgumentException("report channels must be 0..7, was " + ch);
                }
            }
            requireInterval(interval);
        }

        /** The converter as a {@link BoardProfile.Adc}: 10 bits, the reference voltage. */
        public BoardProfile.Adc adc() {
            return new BoardProfile.Adc(BITS, referenceVolts);
        }

        @Override
        public String driver() {
            return "mcp3008";
        }

        @Override
        public boolean isSensor() {
            return true;
        }
    }

    /** Bosch BME280: temperature, humidity and pressure over I2C (address 0x76 or 0x77). */
    record Bme280(String name, String bus, int address, Optional<Duration> interval) implements DeviceSpec {
        public static final List<Integer> ADDRESSES = List.of(0x76, 0x77);

        public Bme280 {
            requireI2c(name, bus, address, ADDRESSES, "a BME280 answers at 0x76 or 0x77 (SDO low or high)", interval);
        }

        @Override
        public String driver() {
            return "bme280";
        }

        @Override
        public boolean isSensor() {
            return true;
        }
    }

    /** TI TMP102 temperature sensor over I2C (address 0x48..0x4b by its ADD0 pin). */
    record Tmp102(String name, String bus, int address, Optional<Duration> interval) implements DeviceSpec {
        public static final List<Integer> ADDRESSES = List.of(0x48, 0x49, 0x4a, 0x4b);

        public Tmp102 {
            requireI2c(name, bus, address, ADDRESSES,
                    "a TMP102 answers at 0x48, 0x49, 0x4a or 0x4b (ADD0 to GND, V+, SDA or SCL)", interval);
        }

        @Override
        public String driver() {
            return "tmp102";
        }

        @Override
        public boolean isSensor() {
            return true;
        }

        @Override
        public boolean isSingleNumber() {
            return true;
        }
    }

    /** Pull resistor on a digital input. */
    enum Pull {
        UP, DOWN, NONE;

        public static Pull parse(String s) {
            return switch (s) {
                case "up" -> UP;
                case "down" -> DOWN;
                case "none" -> NONE;
                default -> throw new IllegalArgumentException("expected up, down or none, got '" + s + "'");
            };
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A push button on a digital input; {@code activeLow} when pressing pulls the line low. */
    record Button(String name, int pin, boolean activeLow, Duration debounce, Pull pull, Optional<Duration> interval)
            implements DeviceSpec {
        public Button {
            BoardProfile.requireName(name);
            requirePin(pin);
            if (debounce == null || debounce.isNegative()) {
                throw new IllegalArgumentException("debounce must be >= 0, was " + debounce);
            }
            requireNonNull(pull, "pull");
            requireInterval(interval);
        }

        /** With the pull resistor that holds the line inactive (up for active-low) and the board's interval. */
        public Button(String name, int pin, boolean activeLow, Duration debounce) {
            this(name, pin, activeLow, debounce, activeLow ? Pull.UP : Pull.DOWN, Optional.empty());
        }

        @Override
        public String driver() {
            return "button";
        }

        @Override
        public boolean isSensor() {
            return true;
        }
    }

    /**
     * Which BLE device a sensor is: its address, the prefix of its advertised name, or both (every
     * one given must hold).
     */
    record BleFilter(Optional<String> address, Optional<String> namePrefix) {
        /** A Bluetooth device address, upper case: {@code AA:BB:CC:DD:EE:FF}. */
        public static final Pattern ADDRESS = Pattern.compile("[0-9A-F]{2}(:[0-9A-F]{2}){5}");

        public BleFilter {
            if (address == null || namePrefix == null) {
                throw new IllegalArgumentException("address and namePrefix must not be null");
            }
            if (address.isEmpty() && namePrefix.isEmpty()) {
                throw new IllegalArgumentException("a BLE sensor needs an address or a name prefix (or both)");
            }
            address = address.map(a -> a.toUpperCase(Locale.ROOT));
            if (address.isPresent() && !ADDRESS.matcher(address.get()).matches()) {
                throw new IllegalArgumentException("a Bluetooth address is six hex bytes AA:BB:CC:DD:EE:FF, was '"
                        + address.get() + "'");
            }
            if (namePrefix.isPresent() && (namePrefix.get().isEmpty() || namePrefix.get().length() > 64)) {
                throw new IllegalArgumentException("a name prefix is 1-64 characters");
            }
        }

        /** True if a device with this address and advertised name passes the filter. */
        public boolean matches(String deviceAddress, String deviceName) {
            if (address.isPresent() && !address.get().equalsIgnoreCase(deviceAddress)) {
                return false;
            }
            return namePrefix.isEmpty() || (deviceName != null && deviceName.startsWith(namePrefix.get()));
        }
    }

    /** A BLE sensor with the Environmental Sensing Service (0x181A): temperature and humidity over GATT. */
    record BleEss(String name, BleFilter filter, Duration staleAfter, Optional<Duration> interval) implements DeviceSpec {
        public BleEss {
            BoardProfile.requireName(name);
            requireNonNull(filter, "filter");
            requireStaleAfter(staleAfter);
            requireInterval(interval);
        }

        @Override
        public String driver() {
            return "ble-ess";
        }

        @Override
        public boolean isSensor() {
            return true;
        }
    }

    /**
     * A BTHome v2 advertiser (advertising only): the quantities its advertisements carry that the
     * agent reports, and its AES key (bindkey) when it encrypts.
     *
     * @param quantities BTHome quantity names ({@code temperature}, {@code humidity}, {@code battery}, ...)
     * @param keyHex the 32 hex digits of the device's bindkey, if it encrypts
     */
    record Bthome(String name, BleFilter filter, List<String> quantities, Optional<String> keyHex, Duration staleAfter,
            Optional<Duration> interval) implements DeviceSpec {
        /** What a BTHome sensor reports unless the profile says. */
        public static final List<String> DEFAULT_QUANTITIES = List.of("temperature", "humidity");
        private static final Pattern QUANTITY = Pattern.compile("[a-z][a-z0-9_]{0,31}");
        private static final Pattern KEY = Pattern.compile("[0-9a-fA-F]{32}");

        public Bthome {
            BoardProfile.requireName(name);
            requireNonNull(filter, "filter");
            quantities = List.copyOf(quantities);
            if (quantities.isEmpty() || quantities.stream().distinct().count() != quantities.size()) {
                throw new IllegalArgumentException("quantities must name at least one quantity, each once, were " + quantities);
            }
            for (String q : quantities) {
                if (!QUANTITY.matcher(q).matches()) {
                    throw new IllegalArgumentException("'" + q + "' is not a BTHome quantity name (temperature, humidity, battery, ...)");
                }
            }
            requireNonNull(keyHex, "keyHex");
            if (keyHex.isPresent() && !KEY.matcher(keyHex.get()).matches()) {
                throw new IllegalArgumentException("a BTHome key is 32 hex digits (16 bytes)");
            }
            requireStaleAfter(staleAfter);
            requireInterval(interval);
        }

        /** Temperature and humidity, unencrypted. */
        public Bthome(String name, BleFilter filter, Duration staleAfter, Optional<Duration> interval) {
            this(name, filter, DEFAULT_QUANTITIES, Optional.empty(), staleAfter, interval);
        }

        @Override
        public String driver() {
            return "bthome";
        }

        @Override
        public boolean isSensor() {
            return true;
        }

        @Override
        public String toString() {
            return "Bthome[name=" + name + ", filter=" + filter + ", quantities=" + quantities + ", key="
                    + (keyHex.isPresent() ? "(set)" : "(none)") + ", staleAfter=" + staleAfter + ", interval=" + interval + "]";
        }
    }

    // ---------------------------------------------------------------------------------- actuators

    /** An LED on a digital output; off is its safe state. */
    record Led(String name, int pin, boolean activeLow) implements DeviceSpec {
        public Led {
            BoardProfile.requireName(name);
            requirePin(pin);
        }

        /** Lit when the line is high. */
        public Led(String name, int pin) {
            this(name, pin, false);
        }

        @Override
        public String driver() {
            return "led";
        }

        @Override
        public boolean isSensor() {
            return false;
        }
    }

    /**
     * A relay on a digital output. Most relay boards are active-low (the coil is energised when the
     * line is low), so {@code activeLow} defaults to true. {@code safeOn} is the state the agent
     * leaves it in on shutdown (and sets at start): off unless the profile says otherwise.
     */
    record Relay(String name, int pin, boolean activeLow, boolean safeOn) implements DeviceSpec {
        public Relay {
            BoardProfile.requireName(name);
            requirePin(pin);
        }

        @Override
        public String driver() {
            return "relay";
        }

        @Override
        public boolean isSensor() {
            return false;
        }
    }

    // ------------------------------------------------------------------------------------ helpers

    /** {@code 0x76}. */
    static String hex(int address) {
        return String.format(Locale.ROOT, "0x%02x", address);
    }

    private static void requireNonNull(Object o, String what) {
        if (o == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
    }

    private static void requireI2c(String name, String bus, int address, List<Integer> addresses, String where,
            Optional<Duration> interval) {
        BoardProfile.requireName(name);
        requireNonNull(bus, "bus");
        if (!addresses.contains(address)) {
            throw new IllegalArgumentException(where + ", was " + hex(address));
        }
        requireInterval(interval);
    }

    private static void requirePin(int pin) {
        if (pin < 0 || pin > 255) {
            throw new IllegalArgumentException("pin must be 0..255, was " + pin);
        }
    }

    private static void requireInterval(Optional<Duration> interval) {
        if (interval == null) {
            throw new IllegalArgumentException("interval must not be null (Optional.empty() for the board's)");
        }
        interval.ifPresent(d -> {
            if (d.compareTo(BoardProfile.MIN_INTERVAL) < 0 || d.compareTo(BoardProfile.MAX_INTERVAL) > 0) {
                throw new IllegalArgumentException("interval must be between 100ms and 1h, was " + d);
            }
        });
    }

    private static void requireStaleAfter(Duration d) {
        if (d == null || d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("staleAfter must be between 1s and 1d, was " + d);
        }
    }
}

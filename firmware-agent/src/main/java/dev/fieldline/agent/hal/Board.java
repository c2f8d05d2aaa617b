package dev.fieldline.agent.hal;

/**
 * The I/O of one board, as provided by a HAL provider (sim, pi4j, esp32-bridge). Channels are those
 * the board profile wires; asking for another one is an IllegalArgumentException naming it. I/O
 * kinds a platform cannot do throw {@link HalException} with reason UNSUPPORTED, naming the platform.
 */
public interface Board extends AutoCloseable {

    /** The HAL platform name, e.g. {@code sim}. */
    String platform();

    AnalogInput analogInput(int channel);

    DigitalInput digitalInput(int pin);

    DigitalOutput digitalOutput(int pin);

    /**
     * A digital input with the given pull resistor. Providers that can configure pulls do so when the
     * line is opened; the default ignores the pull (the sim board has no resistors).
     */
    default DigitalInput digitalInput(int pin, Pull pull) {
        return digitalInput(pin);
    }

    /**
     * A digital output driven to {@code initialLevel} when it is opened, so that an actuator starts in
     * its safe state without a glitch (an active-low relay must start high). Providers that can set the
     * level as the line is claimed do so; the default writes it right after opening.
     */
    default DigitalOutput digitalOutput(int pin, boolean initialLevel) {
        DigitalOutput output = digitalOutput(pin);
        output.write(initialLevel);
        return output;
    }

    /** The device at {@code address} on the I2C bus the profile names {@code bus}. */
    default I2cDevice i2c(String bus, int address) {
        throw new HalException(HalException.Reason.UNSUPPORTED, "platform " + platform() + " has no I2C");
    }

    /** The device on chip select {@code chipSelect} of the SPI bus the profile names {@code bus}. */
    default SpiDevice spi(String bus, int chipSelect) {
        throw new HalException(HalException.Reason.UNSUPPORTED, "platform " + platform() + " has no SPI");
    }

    /** A PWM output on {@code pin}. */
    default PwmOutput pwm(int pin) {
        throw new HalException(HalException.Reason.UNSUPPORTED, "platform " + platform() + " has no PWM");
    }

    /**
     * The serial port on the UART the profile names {@code uart} (e.g. {@code uart0}), opened with
     * the profile's line settings; asking again for an open port returns it.
     */
    default SerialPort serial(String uart) {
        throw new HalException(HalException.Reason.UNSUPPORTED, "platform " + platform() + " has no serial ports");
    }

    /** Releases the hardware; outputs are left as they are (drivers set safe states first). */
    @Override
    void close();
}

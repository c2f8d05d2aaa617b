package dev.fieldline.agent.hal;

/**
 * The I/O of one board, as provided by a HAL provider (sim today; Pi4J, ESP32 bridge later).
 * Channels are those the board profile wires; asking for another one is an
 * IllegalArgumentException naming it.
 */
public interface Board extends AutoCloseable {

    /** The HAL platform name, e.g. {@code sim}. */
    String platform();

    AnalogInput analogInput(int channel);

    DigitalInput digitalInput(int pin);

    DigitalOutput digitalOutput(int pin);

    /** Releases the hardware; outputs are left as they are (drivers set safe states first). */
    @Override
    void close();
}

package dev.fieldline.agent.hal.esp32;

import java.io.IOException;

/**
 * The byte link to the ESP32: the transport seam of the bridge (a serial port through jSerialComm;
 * tests may put something else behind it). Reads and writes come from different threads.
 */
interface SerialLink {

    /** Opens the link; fails when the port does not exist or cannot be opened. */
    void open() throws IOException;

    /**
     * Reads what has arrived into {@code buffer}, waiting a short while (about 100 ms) for the first
     * byte; returns 0 when nothing came.
     *
     * @throws IOException when the link is gone (unplugged)
     */
    int read(byte[] buffer) throws IOException;

    /** Writes all of {@code data}; throws when the link is gone. */
    void write(byte[] data) throws IOException;

    /**
     * Resets the ESP32 through the modem lines (RTS on EN, DTR on GPIO0, as the DevKitC boards wire
     * them); returns false when the port has no such lines (a pty).
     */
    boolean resetTarget();

    /** Closes the link; a blocked read returns or fails. */
    void close();

    /** The port's name, for messages. */
    String name();
}

package dev.fieldline.agent.hal;

import java.time.Duration;

/**
 * A serial port (UART) of a board, opened with the line settings (baud, data bits, parity, stop
 * bits) its profile gives. Failures are {@link HalException}s: ABSENT when the device file is gone
 * (an unplugged adapter, a vanished pty), TIMEOUT when nothing arrives in time, IO for any other
 * error of the port. One reader and one writer may use the port at once; {@link #close} may be
 * called while a read waits.
 */
public interface SerialPort extends AutoCloseable {

    /** The UART's name in the board profile, e.g. {@code uart0}. */
    String name();

    /** The device file, e.g. {@code /dev/serial0}. */
    String device();

    /** Writes all of {@code data}, waiting while the port's output buffer is full. */
    void write(byte[] data);

    /**
     * Reads what has arrived into {@code buffer}, waiting up to {@code timeout} for the first byte.
     *
     * @return the number of bytes read, at least 1
     * @throws HalException TIMEOUT when nothing arrived within {@code timeout}; ABSENT when the device
     *     is gone; IO when the port is closed or failed
     */
    int read(byte[] buffer, Duration timeout);

    /** Closes the port; a waiting read returns or fails. Closing twice does nothing. */
    @Override
    void close();
}

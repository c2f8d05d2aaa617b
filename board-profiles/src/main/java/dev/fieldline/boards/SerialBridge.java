package dev.fieldline.boards;

import java.time.Duration;

/**
 * The serial link to an ESP32 that serves as the agent's I/O front end ({@code esp32-bridge}).
 *
 * @param port the serial device, e.g. {@code /dev/ttyUSB0} (a pty path works too)
 * @param baud the baud rate
 * @param reset toggle DTR/RTS to reset the ESP32 when the port opens (a pty has no DTR/RTS: false)
 * @param timeout how long one request may wait for its answer
 */
public record SerialBridge(String port, int baud, boolean reset, Duration timeout) {
    public static final int DEFAULT_BAUD = 115_200;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);

    public SerialBridge {
        if (port == null || port.isBlank()) {
            throw new IllegalArgumentException("port must not be empty");
        }
        if (baud < 300 || baud > 4_000_000) {
            throw new IllegalArgumentException("baud must be 300..4000000, was " + baud);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }
}

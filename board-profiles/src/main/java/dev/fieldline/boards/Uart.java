package dev.fieldline.boards;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A UART of a board, on the pins that list {@code uartB.tx} and {@code uartB.rx}, with the line
 * settings a serial device on it expects.
 *
 * @param name the UART's name, {@code uart} and its number ({@code uart0})
 * @param tx the transmit pin (the board's TX, wired to the device's RX)
 * @param rx the receive pin
 * @param device the Linux device file ({@code /dev/serial0}, {@code /dev/ttyAMA0}); required on {@code pi4j}
 * @param baud the baud rate, 300..4000000
 * @param dataBits data bits per character, 5..8
 * @param parity the parity bit
 * @param stopBits stop bits, 1 or 2
 */
public record Uart(String name, int tx, int rx, Optional<String> device, int baud, int dataBits, Parity parity,
        int stopBits) {
    /** UART names: {@code uart0} .. {@code uart99}. */
    public static final Pattern NAME = Pattern.compile("uart[0-9]{1,2}");
    public static final int DEFAULT_BAUD = 115_200;
    public static final int DEFAULT_DATA_BITS = 8;
    public static final int DEFAULT_STOP_BITS = 1;

    /** The parity bit of each character. */
    public enum Parity {
        NONE, EVEN, ODD;

        /** {@code none}, {@code even}, {@code odd}: as a profile writes it. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Uart {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a UART is named uart and its number (uart0, uart1, ...), was '" + name + "'");
        }
        if (tx == rx) {
            throw new IllegalArgumentException("tx and rx must be different pins, both were " + tx);
        }
        if (device == null || parity == null) {
            throw new IllegalArgumentException("device and parity must not be null");
        }
        if (baud < 300 || baud > 4_000_000) {
            throw new IllegalArgumentException("baud must be 300..4000000, was " + baud);
        }
        if (dataBits < 5 || dataBits > 8) {
            throw new IllegalArgumentException("data bits must be 5..8, was " + dataBits);
        }
        if (stopBits != 1 && stopBits != 2) {
            throw new IllegalArgumentException("stop bits must be 1 or 2, was " + stopBits);
        }
    }

    /** The UART's number. */
    public int number() {
        return Buses.number(name);
    }

    /** The line settings in the usual short form: {@code 115200 8N1}. */
    public String settings() {
        return baud + " " + dataBits + parity.name().charAt(0) + stopBits;
    }
}

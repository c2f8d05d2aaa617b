package dev.fieldline.agent.hal.pi4j;

import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.HalException.Reason;
import dev.fieldline.agent.hal.SerialPort;
import dev.fieldline.boards.Uart;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Raspberry Pi UART through jSerialComm (Pi4J 2.8.0 has no serial provider on a Pi 5, and its
 * others need pigpio): the device file the profile gives, opened by path (jSerialComm's port list
 * does not show {@code /dev/serial0} links or ptys), with the profile's line settings and no flow
 * control. The modem lines are left alone: the header UART has none, and a pty has no DTR/RTS.
 */
final class JSerialCommPort implements SerialPort {
    private static final Logger log = LoggerFactory.getLogger(JSerialCommPort.class);
    /** How long a write may wait for room in the output buffer. */
    private static final Duration WRITE_WAIT = Duration.ofSeconds(2);
    /** jSerialComm takes its timeouts as an int of milliseconds. */
    private static final long MAX_READ_WAIT_MS = Integer.MAX_VALUE;

    private final String board;
    private final Uart uart;
    private final String device;
    private final com.fazecast.jSerialComm.SerialPort port;
    private final Object readLock = new Object();
    private final Object writeLock = new Object();
    private int readWaitMs = -1;
    private volatile boolean closed;

    private JSerialCommPort(String board, Uart uart, String device, com.fazecast.jSerialComm.SerialPort port) {
        this.board = board;
        this.uart = uart;
        this.device = device;
        this.port = port;
    }

    /** Opens the UART's device; ABSENT when the file does not exist, IO when it cannot be opened. */
    static JSerialCommPort open(String board, Uart uart) {
        String device = uart.device().orElseThrow(() -> new IllegalArgumentException(
                "UART " + uart.name() + " of board " + board + " has no device file"));
        if (!Files.exists(Path.of(device))) {
            throw new HalException(Reason.ABSENT, "board " + board + ": " + uart.name() + " device " + device
                    + " does not exist (enable the UART: enable_uart=1, or dtparam=uart0=on on a Pi 5)");
        }
        com.fazecast.jSerialComm.SerialPort p = com.fazecast.jSerialComm.SerialPort.getCommPort(device);
        p.setComPortParameters(uart.baud(), uart.dataBits(), stopBits(uart.stopBits()), parity(uart.parity()));
        p.setFlowControl(com.fazecast.jSerialComm.SerialPort.FLOW_CONTROL_DISABLED);
        if (!p.openPort()) {
            throw new HalException(Reason.IO, "board " + board + ": cannot open " + uart.name() + " (" + device
                    + "): in use by another program (the serial console? remove console=serial0 from cmdline.txt),"
                    + " or no permission (add the user to group dialout)");
        }
        log.info("board {}: {} opened on {} at {}", board, uart.name(), device, uart.settings());
        return new JSerialCommPort(board, uart, device, p);
    }

    private static int stopBits(int stopBits) {
        return stopBits == 2 ? com.fazecast.jSerialComm.SerialPort.TWO_STOP_BITS
                : com.fazecast.jSerialComm.SerialPort.ONE_STOP_BIT;
    }

    private static int parity(Uart.Parity parity) {
        return switch (parity) {
            case NONE -> com.fazecast.jSerialComm.SerialPort.NO_PARITY;
            case EVEN -> com.fazecast.jSerialComm.SerialPort.EVEN_PARITY;
            case ODD -> com.fazecast.jSerialComm.SerialPort.ODD_PARITY;
        };
    }

    @Override
    public String name() {
        return uart.name();
    }

    @Override
    public String device() {
        return device;
    }

    /** The line settings the port was opened with. */
    Uart uart() {
        return uart;
    }

    boolean isOpen() {
        return !closed;
    }

    @Override
    public void write(byte[] data) {
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        synchronized (writeLock) {
            int done = 0;
            while (done < data.length) {
                checkOpen();
                int n = port.writeBytes(data, data.length - done, done);
                if (n < 0 || (n == 0 && !Files.exists(Path.of(device)))) {
                    throw gone("write");
                }
                if (n == 0) {
                    throw new HalException(Reason.TIMEOUT, what() + ": no room to write for " + WRITE_WAIT.toMillis()
                            + " ms (" + done + " of " + data.length + " bytes written)");
                }
                done += n;
            }
        }
    }

    @Override
    public int read(byte[] buffer, Duration timeout) {
        if (buffer == null || buffer.length == 0) {
            throw new IllegalArgumentException("buffer must hold at least one byte");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        int waitMs = (int) Math.min(Math.max(1, timeout.toMillis()), MAX_READ_WAIT_MS);
        synchronized (readLock) {
            checkOpen();
            if (waitMs != readWaitMs) {
                // semi-blocking: returns as soon as anything has arrived, or 0 after the wait
                port.setComPortTimeouts(com.fazecast.jSerialComm.SerialPort.TIMEOUT_READ_SEMI_BLOCKING
                        | com.fazecast.jSerialComm.SerialPort.TIMEOUT_WRITE_BLOCKING, waitMs, (int) WRITE_WAIT.toMillis());
                readWaitMs = waitMs;
            }
            int n = port.readBytes(buffer, buffer.length);
            if (n < 0) {
                throw gone("read");
            }
            if (n == 0) {
                checkOpen();
                if (!Files.exists(Path.of(device))) {
                    throw gone("read");
                }
                throw new HalException(Reason.TIMEOUT, what() + ": nothing arrived in " + waitMs + " ms");
            }
            return n;
        }
    }

    private HalException gone(String op) {
        if (closed) {
            return new HalException(Reason.IO, what() + " is closed");
        }
        if (!Files.exists(Path.of(device))) {
            return new HalException(Reason.ABSENT, what() + " is gone (" + op + " failed; unplugged?)");
        }
        return new HalException(Reason.IO, what() + ": " + op + " failed (error " + port.getLastErrorCode() + ")");
    }

    private void checkOpen() {
        if (closed) {
            throw new HalException(Reason.IO, what() + " is closed");
        }
    }

    private String what() {
        return "board " + board + " " + uart.name() + " (" + device + ")";
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        port.closePort();
        log.info("board {}: {} closed", board, uart.name());
    }
}

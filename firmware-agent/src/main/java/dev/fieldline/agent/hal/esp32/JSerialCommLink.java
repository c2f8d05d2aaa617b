package dev.fieldline.agent.hal.esp32;

import com.fazecast.jSerialComm.SerialPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/** A serial port through jSerialComm: a USB serial device, a UART, or a pty (given by path). */
final class JSerialCommLink implements SerialLink {
    private static final int READ_WAIT_MS = 100;
    private static final int WRITE_WAIT_MS = 2000;

    private final String path;
    private final int baud;
    private volatile SerialPort port;

    JSerialCommLink(String path, int baud) {
        this.path = path;
        this.baud = baud;
    }

    @Override
    public void open() throws IOException {
        if (!Files.exists(Path.of(path))) {
            throw new NoSuchFileException(path, null, "no such serial port (unplugged?)");
        }
        SerialPort p = SerialPort.getCommPort(path);
        p.setComPortParameters(baud, 8, SerialPort.ONE_STOP_BIT, SerialPort.NO_PARITY);
        p.setFlowControl(SerialPort.FLOW_CONTROL_DISABLED);
        p.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING | SerialPort.TIMEOUT_WRITE_BLOCKING,
                READ_WAIT_MS, WRITE_WAIT_MS);
        // Both modem lines released before opening: on the DevKitC auto-reset circuit this leaves EN
        // and GPIO0 alone, so opening the port does not reset the ESP32 (a pty ignores it).
        p.clearDTR();
        p.clearRTS();
        if (!p.openPort()) {
            throw new IOException("cannot open serial port " + path + " (in use by another program, or no"
                    + " permission: add the user to group dialout)");
        }
        port = p;
    }

    @Override
    public int read(byte[] buffer) throws IOException {
        SerialPort p = port;
        if (p == null) {
            throw new IOException("serial port " + path + " is closed");
        }
        int n = p.readBytes(buffer, buffer.length);
        if (n < 0) {
            throw new IOException("serial port " + path + " is gone (unplugged?)");
        }
        return n;
    }

    @Override
    public void write(byte[] data) throws IOException {
        SerialPort p = port;
        if (p == null) {
            throw new IOException("serial port " + path + " is closed");
        }
        int done = 0;
        while (done < data.length) {
            int n = p.writeBytes(data, data.length - done, done);
            if (n < 0) {
                throw new IOException("serial port " + path + " is gone (unplugged?)");
            }
            done += n;
        }
    }

    @Override
    public boolean resetTarget() {
        SerialPort p = port;
        if (p == null) {
            return false;
        }
        // EN low (RTS asserted) with GPIO0 high (DTR released): a normal boot when EN is released
        if (!p.clearDTR() || !p.setRTS()) {
            return false;
        }
        LockSupport.parkNanos(100_000_000L);
        return p.clearRTS();
    }

    @Override
    public void close() {
        SerialPort p = port;
        port = null;
        if (p != null) {
            p.closePort();
        }
    }

    @Override
    public String name() {
        return path;
    }
}

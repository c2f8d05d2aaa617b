package dev.fieldline.agent.hal.esp32;

/**
 * Constants of the ESP32 bridge protocol, version 1 ({@code docs/esp32-bridge.md}); the MicroPython
 * side ({@code board-profiles/src/main/micropython/fieldline_bridge.py}) defines the same.
 */
final class BridgeProtocol {
    private BridgeProtocol() {
    }

    static final int VERSION = 1;

    /**
     * Kind, id, payload and CRC, before COBS. A whole frame on the wire is then at most 255 bytes, which
     * fits the 260-byte stdin ring buffer of MicroPython's ESP32 port.
     */
    static final int MAX_PACKET = 252;
    static final int OVERHEAD = 5;
    static final int MAX_PAYLOAD = MAX_PACKET - OVERHEAD;
    /** COBS of {@link #MAX_PACKET} bytes, without delimiters. */
    static final int MAX_ENCODED = 253;
    static final int MAX_I2C = 128;

    static final int HELLO = 0x01;
    static final int INFO = 0x02;
    static final int PING = 0x03;
    static final int STATS = 0x04;
    static final int EXIT = 0x05;
    static final int GPIO_CONFIG = 0x10;
    static final int GPIO_READ = 0x11;
    static final int GPIO_WRITE = 0x12;
    static final int ADC_READ = 0x20;
    static final int PWM_SET = 0x30;
    static final int I2C_CONFIG = 0x40;
    static final int I2C_WRITE = 0x41;
    static final int I2C_READ = 0x42;
    static final int SUBSCRIBE = 0x50;
    static final int BOOT = 0x60;
    static final int READINGS = 0x61;
    static final int ERROR = 0x7F;
    static final int REPLY = 0x80;

    static final int MODE_IN = 0;
    static final int MODE_IN_PULL_UP = 1;
    static final int MODE_IN_PULL_DOWN = 2;
    static final int MODE_OUT = 3;
    static final int MODE_OPEN_DRAIN = 4;

    static final int SRC_GPIO = 0;
    static final int SRC_ADC = 1;

    /** A pushed value that could not be read on the ESP32. */
    static final int UNREADABLE = 0xFFFF;

    /** The name of a packet kind, for messages. */
    static String name(int kind) {
        return switch (kind) {
            case HELLO -> "HELLO";
            case INFO -> "INFO";
            case PING -> "PING";
            case STATS -> "STATS";
            case EXIT -> "EXIT";
            case GPIO_CONFIG -> "GPIO_CONFIG";
            case GPIO_READ -> "GPIO_READ";
            case GPIO_WRITE -> "GPIO_WRITE";
            case ADC_READ -> "ADC_READ";
            case PWM_SET -> "PWM_SET";
            case I2C_CONFIG -> "I2C_CONFIG";
            case I2C_WRITE -> "I2C_WRITE";
            case I2C_READ -> "I2C_READ";
            case SUBSCRIBE -> "SUBSCRIBE";
            case BOOT -> "BOOT";
            case READINGS -> "READINGS";
            case ERROR -> "ERROR";
            default -> (kind & REPLY) != 0 && kind != 0xFF
                    ? name(kind & 0x7F) + " reply"
                    : String.format("0x%02x", kind);
        };
    }
}

package dev.fieldline.agent.hal.esp32;

import java.time.Duration;

/**
 * How the agent reaches an ESP32 running the bridge program.
 *
 * @param port the serial device ({@code /dev/ttyUSB0}, {@code /dev/ttyACM0}) or a pty path; jSerialComm
 *     opens it by path
 * @param baud the baud rate (the bridge uses the REPL's UART settings: 115200 by default)
 * @param resetOnOpen pulse EN through RTS when the port opens (DevKitC auto-reset circuit). A pty has
 *     no modem lines: the reset is then skipped and said so
 * @param requestTimeout how long one attempt of a request waits for its reply
 * @param retries how many times a request is sent again, with the same id, after a timeout
 * @param startTimeout how long {@link Esp32Board#open} waits for the first handshake (an ESP32 just
 *     reset takes about a second to boot MicroPython)
 * @param reconnectBackoff the first pause before opening a vanished port again; doubles per attempt
 * @param maxReconnectBackoff the longest such pause
 * @param keepAlive how long the link may be idle before the host sends a PING (must be well under
 *     the bridge's 10 s session lease)
 */
public record Esp32BridgeConfig(String port, int baud, boolean resetOnOpen, Duration requestTimeout, int retries,
        Duration startTimeout, Duration reconnectBackoff, Duration maxReconnectBackoff, Duration keepAlive) {

    public static final int DEFAULT_BAUD = 115_200;
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofMillis(250);
    public static final int DEFAULT_RETRIES = 2;
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_RECONNECT_BACKOFF = Duration.ofMillis(100);
    public static final Duration DEFAULT_MAX_RECONNECT_BACKOFF = Duration.ofSeconds(5);
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(2);

    public Esp32BridgeConfig {
        if (port == null || port.isBlank()) {
            throw new IllegalArgumentException("port must name a serial device");
        }
        if (baud < 300 || baud > 4_000_000) {
            throw new IllegalArgumentException("baud must be 300..4000000, was " + baud);
        }
        positive(requestTimeout, "requestTimeout");
        if (retries < 0 || retries > 10) {
            throw new IllegalArgumentException("retries must be 0..10, was " + retries);
        }
        positive(startTimeout, "startTimeout");
        positive(reconnectBackoff, "reconnectBackoff");
        positive(maxReconnectBackoff, "maxReconnectBackoff");
        if (maxReconnectBackoff.compareTo(reconnectBackoff) < 0) {
            throw new IllegalArgumentException("maxReconnectBackoff (" + maxReconnectBackoff
                    + ") must not be shorter than reconnectBackoff (" + reconnectBackoff + ")");
        }
        positive(keepAlive, "keepAlive");
        if (keepAlive.compareTo(Duration.ofSeconds(5)) > 0) {
            throw new IllegalArgumentException("keepAlive must be at most 5 s (the bridge ends a session after"
                    + " 10 s without a frame), was " + keepAlive);
        }
    }

    /** The defaults for {@code port}: 115200 baud, no reset, 250 ms × 3 attempts, 10 s to start. */
    public static Esp32BridgeConfig of(String port) {
        return new Esp32BridgeConfig(port, DEFAULT_BAUD, false, DEFAULT_REQUEST_TIMEOUT, DEFAULT_RETRIES,
                DEFAULT_START_TIMEOUT, DEFAULT_RECONNECT_BACKOFF, DEFAULT_MAX_RECONNECT_BACKOFF, DEFAULT_KEEP_ALIVE);
    }

    public Esp32BridgeConfig withBaud(int value) {
        return new Esp32BridgeConfig(port, value, resetOnOpen, requestTimeout, retries, startTimeout,
                reconnectBackoff, maxReconnectBackoff, keepAlive);
    }

    public Esp32BridgeConfig withResetOnOpen(boolean value) {
        return new Esp32BridgeConfig(port, baud, value, requestTimeout, retries, startTimeout,
                reconnectBackoff, maxReconnectBackoff, keepAlive);
    }

    public Esp32BridgeConfig withRequestTimeout(Duration value, int retryCount) {
        return new Esp32BridgeConfig(port, baud, resetOnOpen, value, retryCount, startTimeout,
                reconnectBackoff, maxReconnectBackoff, keepAlive);
    }

    public Esp32BridgeConfig withStartTimeout(Duration value) {
        return new Esp32BridgeConfig(port, baud, resetOnOpen, requestTimeout, retries, value,
                reconnectBackoff, maxReconnectBackoff, keepAlive);
    }

    public Esp32BridgeConfig withReconnectBackoff(Duration first, Duration max) {
        return new Esp32BridgeConfig(port, baud, resetOnOpen, requestTimeout, retries, startTimeout, first, max,
                keepAlive);
    }

    public Esp32BridgeConfig withKeepAlive(Duration value) {
        return new Esp32BridgeConfig(port, baud, resetOnOpen, requestTimeout, retries, startTimeout,
                reconnectBackoff, maxReconnectBackoff, value);
    }

    /** How long a request may take with all its retransmissions. */
    Duration requestBudget() {
        return requestTimeout.multipliedBy(retries + 1L);
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
        }
    }
}

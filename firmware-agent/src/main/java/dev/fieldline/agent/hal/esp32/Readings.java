package dev.fieldline.agent.hal.esp32;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * One READINGS frame the ESP32 pushed: a value per subscribed channel, in the subscription's order.
 * ADC channels give counts (0..{@link BridgeInfo#maxCount()}), GPIO channels 0 or 1.
 */
public final class Readings {
    private final int seq;
    private final int deviceMillis;
    private final Instant receivedAt;
    private final List<Esp32Board.Channel> channels;
    private final int[] values;

    Readings(int seq, int deviceMillis, Instant receivedAt, List<Esp32Board.Channel> channels, int[] values) {
        this.seq = seq;
        this.deviceMillis = deviceMillis;
        this.receivedAt = receivedAt;
        this.channels = List.copyOf(channels);
        this.values = values.clone();
    }

    /** The frame's sequence number (16 bits, from 0 at each subscription). */
    public int seq() {
        return seq;
    }

    /** The ESP32's millisecond clock when it sampled, modulo 65536: differences give the real spacing. */
    public int deviceMillis() {
        return deviceMillis;
    }

    public Instant receivedAt() {
        return receivedAt;
    }

    public List<Esp32Board.Channel> channels() {
        return channels;
    }

    /** The value of the channel at {@code index}. */
    public int value(int index) {
        return values[index];
    }

    /** The value of {@code channel}; -1 when it is not in this frame or could not be read on the ESP32. */
    public int value(Esp32Board.Channel channel) {
        int i = channels.indexOf(channel);
        return i < 0 || values[i] == BridgeProtocol.UNREADABLE ? -1 : values[i];
    }

    @Override
    public String toString() {
        return "Readings[seq=" + seq + ", t=" + deviceMillis + ", " + channels + "=" + Arrays.toString(values) + "]";
    }
}

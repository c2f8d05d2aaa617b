package dev.fieldline.agent.hal.esp32;

import dev.fieldline.agent.hal.HalException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the ESP32 bridge says about itself (INFO reply).
 *
 * @param chip {@code esp32} or {@code esp32s3}
 * @param firmware the bridge's and MicroPython's versions
 * @param adcBits bits of an ADC count
 * @param pwmChannels PWM outputs it can run at once
 * @param i2cControllers I2C controllers (buses) it has
 * @param minPushPeriod the shortest period of pushed readings
 * @param maxChannels channels one subscription may hold
 * @param pins usable GPIOs and what each can do
 */
public record BridgeInfo(String chip, String firmware, int adcBits, int pwmChannels, int i2cControllers,
        Duration minPushPeriod, int maxChannels, Map<Integer, Set<Capability>> pins) {

    /** What a GPIO can do (bits of the INFO reply). */
    public enum Capability {
        INPUT, OUTPUT, ADC, PWM, I2C, PULL
    }

    public BridgeInfo {
        Map<Integer, Set<Capability>> copy = new TreeMap<>();
        pins.forEach((pin, caps) -> copy.put(pin, Collections.unmodifiableSet(caps.isEmpty()
                ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(caps))));
        pins = Collections.unmodifiableMap(copy);
    }

    /** The largest ADC count. */
    public int maxCount() {
        return (1 << adcBits) - 1;
    }

    public boolean can(int pin, Capability capability) {
        return pins.getOrDefault(pin, Set.of()).contains(capability);
    }

    /** The GPIOs that can do {@code capability}, for messages. */
    public Set<Integer> pinsThatCan(Capability capability) {
        Set<Integer> out = new TreeSet<>();
        pins.forEach((pin, caps) -> {
            if (caps.contains(capability)) {
                out.add(pin);
            }
        });
        return out;
    }

    /** Parses an INFO reply; a malformed one is GARBAGE. */
    static BridgeInfo parse(Packet reply) {
        byte[] p = reply.payload();
        try {
            int i = 0;
            int chipLength = p[i++] & 0xFF;
            String chip = new String(p, i, chipLength, StandardCharsets.US_ASCII);
            i += chipLength;
            int fwLength = p[i++] & 0xFF;
            String firmware = new String(p, i, fwLength, StandardCharsets.US_ASCII);
            i += fwLength;
            int adcBits = reply.u8(i);
            int pwm = reply.u8(i + 1);
            int i2c = reply.u8(i + 2);
            int minPeriod = reply.u16(i + 3);
            int maxChannels = reply.u8(i + 5);
            int count = reply.u8(i + 6);
            i += 7;
            if (p.length != i + 2 * count) {
                throw new IndexOutOfBoundsException("pin table of " + count + " pins in " + (p.length - i) + " bytes");
            }
            if (adcBits < 1 || adcBits > 16) {
                throw new IndexOutOfBoundsException("ADC of " + adcBits + " bits");
            }
            Map<Integer, Set<Capability>> pins = new TreeMap<>();
            for (int k = 0; k < count; k++) {
                int bits = p[i + 2 * k + 1] & 0xFF;
                Set<Capability> caps = EnumSet.noneOf(Capability.class);
                for (Capability c : Capability.values()) {
                    if ((bits & (1 << c.ordinal())) != 0) {
                        caps.add(c);
                    }
                }
                pins.put(p[i + 2 * k] & 0xFF, caps);
            }
            return new BridgeInfo(chip, firmware, adcBits, pwm, i2c, Duration.ofMillis(minPeriod), maxChannels, pins);
        } catch (IndexOutOfBoundsException e) {
            throw new HalException(HalException.Reason.GARBAGE, "malformed INFO reply (" + e.getMessage() + "): " + reply);
        }
    }
}

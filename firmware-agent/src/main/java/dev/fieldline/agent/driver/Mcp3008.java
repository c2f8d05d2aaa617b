package dev.fieldline.agent.driver;

import dev.fieldline.agent.hal.AnalogInput;
import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.SpiDevice;
import dev.fieldline.boards.BoardProfile;

/**
 * Microchip MCP3008: 8-channel 10-bit SPI ADC, single-ended or pseudo-differential. One conversion
 * is one 3-byte transfer in SPI mode 0 (datasheet Figure 6-1, "8-bit segments"):
 *
 * <pre>
 *   MOSI  0000 0001 | S D2 D1 D0 xxxx | xxxx xxxx      start bit, SGL/DIFF, channel bits
 *   MISO  ???? ???? | ???? ? 0 B9 B8  | B7 ... B0       null bit 0, then the result MSB first
 * </pre>
 *
 * Code = 1024 · V<sub>IN</sub> / V<sub>REF</sub>, at most 1023. SPI has no acknowledge: a missing chip
 * with MISO pulled or floating high reads the null bit as 1, which is refused as GARBAGE.
 * Thread-safe: channels of one chip share its SPI device.
 */
public final class Mcp3008 {
    /** Resolution in bits. */
    public static final int BITS = 10;
    /** The largest code. */
    public static final int MAX_CODE = (1 << BITS) - 1;

    private final SpiDevice spi;
    private final BoardProfile.Adc adc;

    /**
     * @param spi the chip's SPI device (mode 0, at most 1.35 MHz at 2.7 V, 3.6 MHz at 5 V)
     * @param referenceVolts the voltage on V<sub>REF</sub>, e.g. 3.3
     */
    public Mcp3008(SpiDevice spi, double referenceVolts) {
        if (spi == null) {
            throw new IllegalArgumentException("spi must not be null");
        }
        this.spi = spi;
        this.adc = new BoardProfile.Adc(BITS, referenceVolts);
    }

    /** The converter as a board ADC (10 bits, its reference), for drivers such as {@link Tmp36}. */
    public BoardProfile.Adc adc() {
        return adc;
    }

    /** One single-ended conversion of {@code channel} (0..7) against ground. */
    public int readSingle(int channel) {
        return convert(true, checkChannel(channel));
    }

    /**
     * One pseudo-differential conversion of IN+ = {@code plus} against IN− = {@code minus}; the two
     * must be a pair (0/1, 2/3, 4/5, 6/7, either way round). Reads 0 when IN+ is below IN−.
     */
    public int readDifferential(int plus, int minus) {
        return convert(false, differentialSelect(plus, minus));
    }

    /** Channel bits D2 D1 D0 for a differential pair (datasheet Table 5-2). */
    static int differentialSelect(int plus, int minus) {
        if (plus < 0 || plus > 7 || minus < 0 || minus > 7 || (plus ^ 1) != minus) {
            throw new IllegalArgumentException("MCP3008 differential inputs must be a pair 0/1, 2/3, 4/5 or 6/7, was "
                    + plus + "/" + minus);
        }
        // 000: CH0+ CH1-, 001: CH0- CH1+, 010: CH2+ CH3-, ... 111: CH6- CH7+ -- the bits are IN+'s number
        return plus;
    }

    /** A single-ended channel as an analog input. */
    public AnalogInput channel(int channel) {
        return input(true, checkChannel(channel));
    }

    private static int checkChannel(int channel) {
        if (channel < 0 || channel > 7) {
            throw new IllegalArgumentException("MCP3008 channel must be 0..7, was " + channel);
        }
        return channel;
    }

    /** A differential pair as an analog input. */
    public AnalogInput differential(int plus, int minus) {
        return input(false, differentialSelect(plus, minus));
    }

    private AnalogInput input(boolean single, int select) {
        return new AnalogInput() {
            @Override
            public int read() {
                return convert(single, select);
            }

            @Override
            public int maxCount() {
                return MAX_CODE;
            }
        };
    }

    /** The bytes the master sends for one conversion. */
    static byte[] frame(boolean single, int select) {
        return new byte[] {0x01, (byte) ((single ? 0x80 : 0) | (select << 4)), 0x00};
    }

    /** The code in a conversion's answer, after checking its null bit. */
    static int decode(byte[] rx, String where) {
        if ((rx[1] & 0x04) != 0) {
            throw new HalException(HalException.Reason.GARBAGE, where + ": the null bit before the result is 1"
                    + String.format(" (answer %02x %02x %02x)", rx[0] & 0xff, rx[1] & 0xff, rx[2] & 0xff)
                    + ", so no MCP3008 drives MISO: check its wiring, supply and chip select");
        }
        return ((rx[1] & 0x03) << 8) | (rx[2] & 0xff);
    }

    private synchronized int convert(boolean single, int select) {
        byte[] rx = new byte[3];
        spi.transfer(frame(single, select), rx, 3);
        return decode(rx, "MCP3008 on " + spi.bus() + " chip select " + spi.chipSelect()
                + (single ? " channel " + select : " differential select " + select));
    }
}

package dev.fieldline.agent.hal.pi4j.emulated;

/**
 * A TMP102 at register level (datasheet SBOS397): 16-bit registers chosen by a pointer (temperature
 * 0x00, configuration 0x01, T_LOW 0x02, T_HIGH 0x03), read MSB first; configuration powers up as
 * 0x60A0 with R1 R0, AL and the low nibble read-only; the temperature in 12-bit format (counts &lt;&lt; 4,
 * saturating at 127.9375 °C) or, with EM, 13-bit (counts &lt;&lt; 3, bit 0 set). Continuous conversion
 * unless shut down (SD); in shutdown, writing OS starts one conversion, during which OS reads 0 for
 * a number of configuration reads, then 1.
 */
public final class EmulatedTmp102 implements I2cChip {
    private double celsius = 25.0;
    private int temperature;
    private int configuration = 0x60A0;
    private int low = 0x4B00;
    private int high = 0x5000;
    private int conversionReads = 1;
    private int conversionLeft;
    private boolean oneShotDone;
    private int conversions;

    /** The temperature the next conversion measures. */
    public synchronized void setCelsius(double celsius) {
        this.celsius = celsius;
    }

    /** Configuration reads that show a one-shot conversion running; Integer.MAX_VALUE hangs it. */
    public synchronized void conversionReads(int reads) {
        this.conversionReads = reads;
    }

    /** Conversions done so far. */
    public synchronized int conversions() {
        return conversions;
    }

    /** The configuration register as the chip holds it. */
    public synchronized int configuration() {
        return configuration;
    }

    /** The temperature register a conversion of {@code celsius} yields (datasheet tables 6 and 7). */
    public static int encode(double celsius, boolean extended) {
        int counts = (int) Math.round(celsius / 0.0625);
        if (extended) {
            return ((counts & 0x1fff) << 3) | 1;
        }
        counts = Math.max(-2048, Math.min(2047, counts));
        return (counts & 0x0fff) << 4;
    }

    @Override
    public synchronized void write(int register, byte[] data) {
        if (data.length < 2) {
            return; // a pointer write
        }
        int value = ((data[0] & 0xff) << 8) | (data[1] & 0xff);
        switch (register & 0x03) {
            case 0x01 -> writeConfiguration(value);
            case 0x02 -> low = value & 0xfff0;
            case 0x03 -> high = value & 0xfff0;
            default -> {
                // the temperature register is read-only
            }
        }
    }

    private void writeConfiguration(int value) {
        boolean shutdown = (value & 0x0100) != 0;
        boolean os = (value & 0x8000) != 0;
        // R1 R0 (0x6000), AL (0x0020) and the low nibble are read-only; OS is a trigger
        configuration = (value & 0x1fd0) | 0x6000 | (configuration & 0x0020);
        if (shutdown && os) {
            conversionLeft = conversionReads;
            oneShotDone = false;
            if (conversionLeft == 0) {
                finishOneShot();
            }
        }
    }

    @Override
    public synchronized byte[] read(int register, int length) {
        int value = switch (register & 0x03) {
            case 0x00 -> {
                if ((configuration & 0x0100) == 0) {
                    convert(); // continuous mode: the latest conversion
                }
                yield temperature;
            }
            case 0x01 -> configurationRead();
            case 0x02 -> low;
            default -> high;
        };
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = (byte) (i % 2 == 0 ? value >> 8 : value);
        }
        return out;
    }

    private int configurationRead() {
        int os = 0;
        if ((configuration & 0x0100) != 0) {
            if (conversionLeft > 0) {
                if (conversionLeft != Integer.MAX_VALUE && --conversionLeft == 0) {
                    finishOneShot();
                }
            } else if (oneShotDone) {
                os = 0x8000;
            }
        }
        return configuration | os;
    }

    private void finishOneShot() {
        convert();
        oneShotDone = true;
    }

    private void convert() {
        temperature = encode(celsius, (configuration & 0x0010) != 0);
        conversions++;
    }
}

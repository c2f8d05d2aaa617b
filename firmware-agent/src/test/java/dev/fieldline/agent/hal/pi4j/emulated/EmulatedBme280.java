package dev.fieldline.agent.hal.pi4j.emulated;

/**
 * A BME280 at register level (datasheet BST-BME280-DS002 section 5): chip id 0x60 at 0xD0, trimming
 * parameters at 0x88–0xA1 and 0xE1–0xE7, soft reset (0xB6 to 0xE0) with an NVM copy shown by status
 * bit 0, ctrl_hum taking effect with the next ctrl_meas write, forced mode (one measurement, status
 * bit 3 while it runs, then back to sleep) and normal mode (continuous), skipped oversampling giving
 * the reset values 0x80000 / 0x8000, and writes as the chip takes them: register/data pairs, no
 * auto-increment. Reads auto-increment. The raw ADC values the next measurement yields are set with
 * {@link #measure}.
 */
public final class EmulatedBme280 extends RegisterMapChip {
    private int adcT;
    private int adcP;
    private int adcH;
    private int latchedOsrsH;
    private int measuringReadsLeft;
    private int nvmReadsLeft;
    /** Status reads that show "measuring" after a forced-mode trigger. */
    private int measuringReads = 1;
    /** Status reads that show "im_update" after a reset. */
    private int nvmCopyReads = 1;
    private int measurements;

    /**
     * A chip with trimming parameters {@code t[0..2]} (dig_T1..T3), {@code p[0..8]} (dig_P1..P9) and
     * {@code h[0..5]} (dig_H1..H6), as the chip stores them.
     */
    public EmulatedBme280(int[] t, int[] p, int[] h) {
        poke(0xD0, 0x60);
        int r = 0x88;
        for (int v : t) {
            poke(r, v & 0xff, (v >> 8) & 0xff);
            r += 2;
        }
        for (int v : p) {
            poke(r, v & 0xff, (v >> 8) & 0xff);
            r += 2;
        }
        poke(0xA1, h[0] & 0xff);
        poke(0xE1, h[1] & 0xff, (h[1] >> 8) & 0xff, h[2] & 0xff,
                (h[3] >> 4) & 0xff, ((h[4] & 0x0f) << 4) | (h[3] & 0x0f), (h[4] >> 4) & 0xff, h[5] & 0xff);
        resetRegisters();
    }

    /** Sets the raw readings (20-bit temperature and pressure, 16-bit humidity) of coming measurements. */
    public synchronized void measure(int rawTemperature, int rawPressure, int rawHumidity) {
        this.adcT = rawTemperature;
        this.adcP = rawPressure;
        this.adcH = rawHumidity;
    }

    /** How many status reads show a forced measurement running; Integer.MAX_VALUE hangs it. */
    public synchronized void measuringReads(int reads) {
        this.measuringReads = reads;
    }

    /** How many status reads show the NVM copy after a reset. */
    public synchronized void nvmCopyReads(int reads) {
        this.nvmCopyReads = reads;
    }

    /** Measurements completed so far. */
    public synchronized int measurements() {
        return measurements;
    }

    /** The register/data pairs of a multi-byte write, as the BME280 takes them (datasheet 6.2.1). */
    @Override
    public synchronized void write(int register, byte[] data) {
        if (data.length == 0) {
            return;
        }
        store(register, data[0] & 0xff);
        for (int i = 1; i + 1 < data.length; i += 2) {
            store(data[i] & 0xff, data[i + 1] & 0xff);
        }
    }

    private void store(int register, int value) {
        switch (register) {
            case 0xE0 -> {
                if (value == 0xB6) {
                    resetRegisters();
                    nvmReadsLeft = nvmCopyReads;
                }
            }
            case 0xF2 -> registers[0xF2] = (byte) (value & 0x07);
            case 0xF4 -> {
                registers[0xF4] = (byte) value;
                latchedOsrsH = registers[0xF2] & 0x07;
                int mode = value & 0x03;
                if (mode == 0b01 || mode == 0b10) {
                    measuringReadsLeft = measuringReads;
                    if (measuringReadsLeft == 0) {
                        complete();
                    }
                }
            }
            case 0xF5 -> registers[0xF5] = (byte) (value & 0xfd);
            default -> {
                // read-only: id, trimming parameters, status, data
            }
        }
    }

    @Override
    protected void beforeRead(int register, int length) {
        boolean coversData = register <= 0xFE && register + length > 0xF7;
        if (coversData && (registers[0xF4] & 0x03) == 0b11) {
            complete(); // normal mode: the latest measurement
        }
    }

    @Override
    protected int onRead(int register) {
        if (register == 0xF3) {
            int status = (measuringReadsLeft > 0 ? 0x08 : 0) | (nvmReadsLeft > 0 ? 0x01 : 0);
            if (nvmReadsLeft > 0) {
                nvmReadsLeft--;
            }
            if (measuringReadsLeft > 0 && measuringReadsLeft != Integer.MAX_VALUE && --measuringReadsLeft == 0) {
                complete();
            }
            return status;
        }
        return registers[register] & 0xff;
    }

    private void complete() {
        int osrsT = (registers[0xF4] >> 5) & 0x07;
        int osrsP = (registers[0xF4] >> 2) & 0x07;
        int t = osrsT == 0 ? 0x80000 : adcT;
        int p = osrsP == 0 ? 0x80000 : adcP;
        int h = latchedOsrsH == 0 ? 0x8000 : adcH;
        poke(0xF7, p >> 12, (p >> 4) & 0xff, (p & 0x0f) << 4, t >> 12, (t >> 4) & 0xff, (t & 0x0f) << 4, h >> 8, h & 0xff);
        if ((registers[0xF4] & 0x03) != 0b11) {
            registers[0xF4] = (byte) (registers[0xF4] & 0xfc); // forced: back to sleep
        }
        measurements++;
    }

    private void resetRegisters() {
        poke(0xF2, 0);
        poke(0xF3, 0);
        poke(0xF4, 0);
        poke(0xF5, 0);
        poke(0xF7, 0x80, 0x00, 0x00, 0x80, 0x00, 0x00, 0x80, 0x00);
        latchedOsrsH = 0;
        measuringReadsLeft = 0;
    }
}

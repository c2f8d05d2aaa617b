package dev.fieldline.agent.driver;

/**
 * A BME280's trimming parameters (read once from registers 0x88–0xA1 and 0xE1–0xE7) and the
 * datasheet's integer compensation (BST-BME280-DS002 section 4.2.3): temperature in 32-bit
 * arithmetic, pressure in 64-bit, humidity in 32-bit, bit for bit as the datasheet's C code (Java's
 * {@code int} and {@code long} wrap and shift as that code does on the usual compilers).
 */
record Bme280Calibration(int t1, int t2, int t3,
        int p1, int p2, int p3, int p4, int p5, int p6, int p7, int p8, int p9,
        int h1, int h2, int h3, int h4, int h5, int h6) {

    /** Registers 0x88..0xA1 (26 bytes) and 0xE1..0xE7 (7 bytes) as the chip holds them. */
    static Bme280Calibration parse(byte[] tp, byte[] h) {
        if (tp.length != 26 || h.length != 7) {
            throw new IllegalArgumentException("calibration blocks must be 26 and 7 bytes");
        }
        return new Bme280Calibration(
                u16(tp, 0), s16(tp, 2), s16(tp, 4),
                u16(tp, 6), s16(tp, 8), s16(tp, 10), s16(tp, 12), s16(tp, 14), s16(tp, 16), s16(tp, 18),
                s16(tp, 20), s16(tp, 22),
                tp[25] & 0xff,
                s16(h, 0),
                h[2] & 0xff,
                // dig_H4: 0xE4 is bits 11..4 (signed), 0xE5 bits 3..0 are bits 3..0
                (h[3] << 4) | (h[4] & 0x0f),
                // dig_H5: 0xE6 is bits 11..4 (signed), 0xE5 bits 7..4 are bits 3..0
                (h[5] << 4) | ((h[4] & 0xff) >> 4),
                h[6]);
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xff) | ((b[i + 1] & 0xff) << 8);
    }

    private static int s16(byte[] b, int i) {
        return (short) u16(b, i);
    }

    /** Fine temperature (t_fine) for a raw temperature, as BME280_compensate_T_int32 computes it. */
    int fineTemperature(int adcT) {
        int var1 = (((adcT >> 3) - (t1 << 1)) * t2) >> 11;
        int var2 = (((((adcT >> 4) - t1) * ((adcT >> 4) - t1)) >> 12) * t3) >> 14;
        return var1 + var2;
    }

    /** Temperature in 0.01 °C (5123 = 51.23 °C) from t_fine. */
    static int centiCelsius(int tFine) {
        return (tFine * 5 + 128) >> 8;
    }

    /** Pressure in Pa as Q24.8 (24674867 = 96386.2 Pa), BME280_compensate_P_int64; 0 when P1 is 0. */
    long pressureQ24_8(int adcP, int tFine) {
        long var1 = (long) tFine - 128000;
        long var2 = var1 * var1 * p6;
        var2 = var2 + ((var1 * p5) << 17);
        var2 = var2 + (((long) p4) << 35);
        var1 = ((var1 * var1 * p3) >> 8) + ((var1 * p2) << 12);
        var1 = ((1L << 47) + var1) * p1 >> 33;
        if (var1 == 0) {
            return 0; // avoid division by zero
        }
        long p = 1048576 - adcP;
        p = (((p << 31) - var2) * 3125) / var1;
        var1 = (((long) p9) * (p >> 13) * (p >> 13)) >> 25;
        var2 = (((long) p8) * p) >> 19;
        p = ((p + var1 + var2) >> 8) + (((long) p7) << 4);
        return p & 0xffffffffL;
    }

    /** Relative humidity in %RH as Q22.10 (47445 = 46.333 %RH), bme280_compensate_H_int32. */
    int humidityQ22_10(int adcH, int tFine) {
        int v = tFine - 76800;
        v = ((((adcH << 14) - (h4 << 20) - (h5 * v)) + 16384) >> 15)
                * (((((((v * h6) >> 10) * (((v * h3) >> 11) + 32768)) >> 10) + 2097152) * h2 + 8192) >> 14);
        v = v - (((((v >> 15) * (v >> 15)) >> 7) * h1) >> 4);
        v = v < 0 ? 0 : v;
        v = v > 419430400 ? 419430400 : v;
        return v >> 12;
    }
}

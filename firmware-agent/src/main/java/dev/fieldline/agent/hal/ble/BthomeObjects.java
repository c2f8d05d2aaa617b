package dev.fieldline.agent.hal.ble;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The BTHome v2 object table (bthome.io/format): each object id's length and, for the ones this
 * receiver interprets, its name, type, factor and SenML unit. Values are {@code raw × multiplier /
 * 10^decimals}, so that 0.01-steps come out as the nearest double (2500 → 25.0, not 25.000000000000004).
 */
final class BthomeObjects {
    /** Length byte follows the object id (text 0x53, raw 0x54). */
    static final int VARIABLE = -1;

    /**
     * One object id.
     *
     * @param unit SenML unit; {@code null} for objects that are skipped (known length, not interpreted)
     */
    record Spec(int id, String name, int length, boolean signed, int multiplier, int decimals, String unit) {
        boolean interpreted() {
            return unit != null;
        }

        double scale(long raw) {
            return raw * (double) multiplier / POW10[decimals];
        }
    }

    private static final double[] POW10 = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000};
    private static final Spec[] TABLE = new Spec[256];

    static {
        measure(0x00, "packet_id", 1, false, 1, 0, "count");
        measure(0x01, "battery", 1, false, 1, 0, "%EL");
        measure(0x02, "temperature", 2, true, 1, 2, "Cel");
        measure(0x03, "humidity", 2, false, 1, 2, "%RH");
        // sent as hPa × 0.01, which is exactly 1 Pa
        measure(0x04, "pressure", 3, false, 1, 0, "Pa");
        measure(0x05, "illuminance", 3, false, 1, 2, "lx");
        skip(0x06, 2); // mass kg
        skip(0x07, 2); // mass lb
        measure(0x08, "dewpoint", 2, true, 1, 2, "Cel");
        skip(0x09, 1); // count
        skip(0x0A, 3); // energy
        skip(0x0B, 3); // power
        measure(0x0C, "voltage", 2, false, 1, 3, "V");
        skip(0x0D, 2); // pm2.5
        skip(0x0E, 2); // pm10
        for (int id = 0x0F; id <= 0x11; id++) {
            skip(id, 1); // binary: generic, power, opening
        }
        measure(0x12, "co2", 2, false, 1, 0, "ppm");
        skip(0x13, 2); // tvoc
        measure(0x14, "moisture", 2, false, 1, 2, "%");
        for (int id = 0x15; id <= 0x2D; id++) {
            skip(id, 1); // binary sensors: battery low … window
        }
        measure(0x2E, "humidity", 1, false, 1, 0, "%RH");
        measure(0x2F, "moisture", 1, false, 1, 0, "%");
        skip(0x3A, 1); // button event
        skip(0x3C, 2); // dimmer event
        skip(0x3D, 2); // count
        skip(0x3E, 4); // count
        skip(0x3F, 2); // rotation
        skip(0x40, 2); // distance mm
        skip(0x41, 2); // distance m
        skip(0x42, 3); // duration
        skip(0x43, 2); // current
        skip(0x44, 2); // speed
        measure(0x45, "temperature", 2, true, 1, 1, "Cel");
        skip(0x46, 1); // UV index
        skip(0x47, 2); // volume
        skip(0x48, 2); // volume mL
        skip(0x49, 2); // volume flow rate
        measure(0x4A, "voltage", 2, false, 1, 1, "V");
        skip(0x4B, 3); // gas
        skip(0x4C, 4); // gas
        skip(0x4D, 4); // energy
        skip(0x4E, 4); // volume
        skip(0x4F, 4); // water
        skip(0x50, 4); // timestamp
        skip(0x51, 2); // acceleration
        skip(0x52, 2); // gyroscope
        skip(0x53, VARIABLE); // text
        skip(0x54, VARIABLE); // raw
        skip(0x55, 4); // volume storage
        skip(0x56, 2); // conductivity
        measure(0x57, "temperature", 1, true, 1, 0, "Cel");
        measure(0x58, "temperature", 1, true, 35, 2, "Cel");
        skip(0x59, 1); // count
        skip(0x5A, 2); // count
        skip(0x5B, 4); // count
        skip(0x5C, 4); // power
        skip(0x5D, 2); // current
        skip(0x5E, 2); // direction
        skip(0x5F, 2); // precipitation
        skip(0x60, 1); // channel
        skip(0x61, 2); // rotational speed
        skip(0x62, 4); // speed
        skip(0x63, 4); // acceleration
        skip(0xF0, 2); // device type id
        skip(0xF1, 4); // firmware version
        skip(0xF2, 3); // firmware version
    }

    private BthomeObjects() {
    }

    private static void measure(int id, String name, int length, boolean signed, int multiplier, int decimals, String unit) {
        TABLE[id] = new Spec(id, name, length, signed, multiplier, decimals, unit);
    }

    private static void skip(int id, int length) {
        TABLE[id] = new Spec(id, null, length, false, 1, 0, null);
    }

    static Optional<Spec> spec(int id) {
        return id < 0 || id > 255 ? Optional.empty() : Optional.ofNullable(TABLE[id]);
    }

    /** Names of the quantities this receiver interprets, for configuration checks. */
    static Set<String> quantityNames() {
        Set<String> names = new TreeSet<>();
        for (Spec s : TABLE) {
            if (s != null && s.interpreted() && s.id() != 0x00) {
                names.add(s.name());
            }
        }
        return names;
    }

    /** The SenML unit of quantity {@code name} (the same for every object id carrying it). */
    static String unitOf(String name) {
        for (Spec s : TABLE) {
            if (s != null && name.equals(s.name())) {
                return s.unit();
            }
        }
        throw new IllegalArgumentException("unknown BTHome quantity '" + name + "'");
    }
}

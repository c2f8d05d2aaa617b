package dev.fieldline.protocol;

import java.util.Set;

/**
 * The SenML units registry: RFC 8428 §12.1 and the additions and secondary units of RFC 8798.
 * Decoders accept only these symbols (case-sensitive), so that a reading's unit means the same
 * thing everywhere downstream.
 */
public final class SenmlUnits {
    private static final Set<String> UNITS = Set.of(
            // RFC 8428 primary units
            "m", "kg", "g", "s", "A", "K", "cd", "mol", "Hz", "rad", "sr", "N", "Pa", "J", "W", "C", "V", "F",
            "Ohm", "S", "Wb", "T", "H", "Cel", "lm", "lx", "Bq", "Gy", "Sv", "kat", "m2", "m3", "l", "m/s",
            "m/s2", "m3/s", "l/s", "W/m2", "cd/m2", "bit", "bit/s", "lat", "lon", "pH", "dB", "dBW", "Bspl",
            "count", "/", "%", "%RH", "%EL", "EL", "1/s", "1/min", "beat/min", "beats", "S/m",
            // RFC 8798 new primary units
            "B", "VA", "VAs", "var", "vars", "J/m", "kg/m3", "deg",
            // RFC 8798 secondary units
            "ms", "min", "h", "MHz", "kW", "kVA", "kvar", "Ah", "Wh", "kWh", "varh", "kvarh", "kVAh",
            "Wh/km", "KiB", "GB", "Mbit/s", "B/s", "MB/s", "mV", "mA", "dBm", "ug/m3", "mm/h", "m/h", "ppm",
            "/100", "/1000", "hPa", "mm", "cm", "km", "km/h");

    private SenmlUnits() {
    }

    public static boolean isRegistered(String unit) {
        return UNITS.contains(unit);
    }
}

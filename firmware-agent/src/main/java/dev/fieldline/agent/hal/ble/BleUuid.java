package dev.fieldline.agent.hal.ble;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Bluetooth UUIDs as BlueZ writes them on D-Bus: 128-bit, lower case, with dashes. A 16-bit
 * assigned number {@code 0xXXXX} stands for {@code 0000xxxx-0000-1000-8000-00805f9b34fb}.
 */
public final class BleUuid {
    /** Environmental Sensing Service. */
    public static final String ENVIRONMENTAL_SENSING = of16(0x181A);
    /** BTHome's service data UUID. */
    public static final String BTHOME = of16(0xFCD2);

    private static final Pattern FULL = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern SHORT = Pattern.compile("(0x)?[0-9a-f]{4}");

    private BleUuid() {
    }

    /** The 128-bit form of a 16-bit assigned number. */
    public static String of16(int assigned) {
        if (assigned < 0 || assigned > 0xFFFF) {
            throw new IllegalArgumentException("a 16-bit UUID must be in 0..0xFFFF, was " + assigned);
        }
        return String.format(Locale.ROOT, "0000%04x-0000-1000-8000-00805f9b34fb", assigned);
    }

    /**
     * Normalises {@code 181A}, {@code 0x181a} or a 128-bit UUID in any case to BlueZ's form.
     *
     * @throws IllegalArgumentException naming the text when it is neither
     */
    public static String parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("uuid must not be null");
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (FULL.matcher(t).matches()) {
            return t;
        }
        if (SHORT.matcher(t).matches()) {
            return of16(Integer.parseInt(t.startsWith("0x") ? t.substring(2) : t, 16));
        }
        throw new IllegalArgumentException("not a Bluetooth UUID (want 181A, 0x181A or a 128-bit UUID): '" + text + "'");
    }
}

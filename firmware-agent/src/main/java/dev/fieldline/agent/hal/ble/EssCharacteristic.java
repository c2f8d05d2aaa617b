package dev.fieldline.agent.hal.ble;

import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.HalException.Reason;

/**
 * The characteristics of the Bluetooth Environmental Sensing Service (0x181A) this agent reads, with
 * their GATT Specification Supplement formats (little-endian).
 */
public enum EssCharacteristic {
    /** 0x2A6E: sint16, 0.01 °C; 0x8000 means "value is not known". */
    TEMPERATURE(0x2A6E, "temperature", "Cel", 2),
    /** 0x2A6F: uint16, 0.01 %, 0..10000; 0xFFFF means "value is not known". */
    HUMIDITY(0x2A6F, "humidity", "%RH", 2),
    /** 0x2A6D: uint32, 0.1 Pa. */
    PRESSURE(0x2A6D, "pressure", "Pa", 4);

    private final int assigned;
    private final String quantity;
    private final String unit;
    private final int length;

    EssCharacteristic(int assigned, String quantity, String unit, int length) {
        this.assigned = assigned;
        this.quantity = quantity;
        this.unit = unit;
        this.length = length;
    }

    /** The characteristic UUID in BlueZ form. */
    public String uuid() {
        return BleUuid.of16(assigned);
    }

    /** The SenML quantity name ({@code temperature}, …). */
    public String quantity() {
        return quantity;
    }

    public String unit() {
        return unit;
    }

    /**
     * The value in {@link #unit()}.
     *
     * @throws HalException GARBAGE when the length is wrong, the value is out of range or the
     *     sensor says it does not know it
     */
    public double decode(byte[] value) {
        if (value == null || value.length != length) {
            throw new HalException(Reason.GARBAGE, name().toLowerCase(java.util.Locale.ROOT) + " characteristic value must have "
                    + length + " bytes, had " + (value == null ? 0 : value.length));
        }
        long raw = BthomeDecoder.unsigned(value, 0, length);
        return switch (this) {
            case TEMPERATURE -> {
                if (raw == 0x8000) {
                    throw new HalException(Reason.GARBAGE, "the sensor reports its temperature as not known (0x8000)");
                }
                yield ((short) raw) / 100.0;
            }
            case HUMIDITY -> {
                if (raw == 0xFFFF) {
                    throw new HalException(Reason.GARBAGE, "the sensor reports its humidity as not known (0xFFFF)");
                }
                if (raw > 10_000) {
                    throw new HalException(Reason.GARBAGE, "humidity " + raw / 100.0 + " % is above 100 %");
                }
                yield raw / 100.0;
            }
            case PRESSURE -> raw / 10.0;
        };
    }
}

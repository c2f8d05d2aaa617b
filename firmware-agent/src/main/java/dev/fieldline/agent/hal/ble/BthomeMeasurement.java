package dev.fieldline.agent.hal.ble;

/**
 * One measurement of a BTHome advertisement.
 *
 * @param objectId the BTHome object id, e.g. {@code 0x02}
 * @param name the quantity, e.g. {@code temperature} (several object ids may share one name)
 * @param raw the integer as sent (little-endian, sign-extended where the type is signed)
 * @param value the value in {@code unit}
 * @param unit SenML unit ({@code Cel}, {@code %RH}, {@code Pa}, …)
 */
public record BthomeMeasurement(int objectId, String name, long raw, double value, String unit) {
}

package dev.fieldline.agent.driver;

import java.util.List;

/**
 * A sensor the sampler polls. One read may yield several quantities (a BME280 gives temperature,
 * humidity and pressure); each becomes a SenML record named {@code <sensor>/<quantity>} (or just
 * {@code <sensor>} when there is one). A driver for a pushed source (BLE notifications, readings an
 * ESP32 pushes) returns its latest value and throws {@link dev.fieldline.agent.hal.HalException}
 * with reason STALE when it is too old.
 */
public interface SensorDriver {

    /** What {@link #read} yields, in order. Fixed for the driver's life. */
    List<Quantity> quantities();

    /**
     * Reads once into {@code values} (one per quantity, SI or SenML units as {@link Quantity#unit()}
     * says).
     *
     * @throws dev.fieldline.agent.hal.HalException when the sensor is absent, NACKs, times out or
     *     returns garbage; the caller marks the sensor faulted and retries with backoff
     */
    void read(double[] values);

    /** Brings the sensor to a known state after a fault (re-reads calibration, re-configures). */
    default void reinitialise() {}

    /**
     * One quantity of a sensor.
     *
     * @param name short name ({@code temperature}, {@code humidity}, {@code pressure})
     * @param unit SenML unit ({@code Cel}, {@code %RH}, {@code Pa})
     */
    record Quantity(String name, String unit) {}
}

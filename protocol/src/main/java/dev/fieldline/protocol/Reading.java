package dev.fieldline.protocol;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One resolved SenML record (RFC 8428 §4.6): full name, unit, value and/or sum, absolute time.
 * For Fieldline devices the name is the metric name without the {@code urn:dev:fl:{id}:} prefix.
 *
 * @param name resolved name
 * @param unit SenML unit, or "" when the record has none
 * @param value the value, absent for a sum-only record
 * @param sum the integrated sum ({@code s}), if any
 * @param time absolute time of the reading
 */
public record Reading(String name, String unit, Optional<Value> value, OptionalDouble sum, Instant time) {

    public Reading {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("name must not be empty");
        }
        if (unit == null) {
            throw new IllegalArgumentException("unit must not be null (use \"\" for none)");
        }
        if (value.isEmpty() && sum.isEmpty()) {
            throw new IllegalArgumentException("a reading needs a value or a sum");
        }
        if (time == null) {
            throw new IllegalArgumentException("time must not be null");
        }
    }

    public static Reading of(String name, String unit, Value value, Instant time) {
        return new Reading(name, unit, Optional.of(value), OptionalDouble.empty(), time);
    }

    public static Reading of(String name, String unit, double value, Instant time) {
        return of(name, unit, new Value.Num(value), time);
    }

    /** The numeric value, if this reading has one. */
    public OptionalDouble number() {
        return value.filter(Value.Num.class::isInstance)
                .map(v -> OptionalDouble.of(((Value.Num) v).value()))
                .orElse(OptionalDouble.empty());
    }
}

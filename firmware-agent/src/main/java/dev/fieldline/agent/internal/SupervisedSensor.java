package dev.fieldline.agent.internal;

import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.uplink.ReconnectPolicy;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.SensorHealth;
import dev.fieldline.protocol.Value;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sensor as the sampler reads it, with the fault handling every sensor gets. A read that throws
 * {@link HalException} (absent, NACK, timeout, garbage, stale, ...) marks the sensor faulted with the
 * reason, since that moment; it is then retried with exponential backoff, each retry calling
 * {@link Source#reinitialise()} before reading, and while it is faulted its readings are left out
 * of telemetry. The first good read marks it ok again. The sampler goes on with the other sensors
 * whatever one of them does. A sensor with its own interval is read only when that is due.
 * Thread-safe (the core thread samples; the status reads the health).
 */
public final class SupervisedSensor {
    private static final Logger log = LoggerFactory.getLogger(SupervisedSensor.class);

    /** What a sensor is to the sampler: its readings' names and units, and how to read them. */
    public interface Source {
        /** Reading names, in order. */
        List<String> names();

        /** SenML units, in the order of {@link #names()} ("" for none). */
        List<String> units();

        /**
         * Reads once into {@code values}, one per name.
         *
         * @throws HalException when the sensor is absent, NACKs, times out or returns garbage
         */
        void read(Value[] values);

        /** Brings the sensor to a known state before a retry. */
        default void reinitialise() {
        }

        /** A source from its names, units, a read and a re-initialisation. */
        static Source of(List<String> names, List<String> units, java.util.function.Consumer<Value[]> read,
                Runnable reinitialise) {
            List<String> n = List.copyOf(names);
            List<String> u = List.copyOf(units);
            return new Source() {
                @Override
                public List<String> names() {
                    return n;
                }

                @Override
                public List<String> units() {
                    return u;
                }

                @Override
                public void read(Value[] values) {
                    read.accept(values);
                }

                @Override
                public void reinitialise() {
                    reinitialise.run();
                }
            };
        }
    }

    private final String name;
    private final String driver;
    private final Source source;
    private final Optional<Duration> interval;
    private final ReconnectPolicy retry;
    private final DoubleSupplier random;
    private final Value[] values;

    private Instant lastRead;
    private boolean faulted;
    private String reason = "";
    private String message = "";
    private Instant since;
    private long retries;
    private Instant nextAttempt;
    private long faults;
    private long totalRetries;

    /**
     * @param name the sensor's name in the profile
     * @param driver its driver, for messages
     * @param interval its own sampling interval; empty: every sample
     * @param retry backoff between retries of a faulted sensor
     * @param since when it was set up (the start of its ok state)
     */
    public SupervisedSensor(String name, String driver, Source source, Optional<Duration> interval, ReconnectPolicy retry,
            DoubleSupplier random, Instant since) {
        if (name == null || driver == null || source == null || interval == null || retry == null || random == null
                || since == null) {
            throw new IllegalArgumentException("no argument may be null");
        }
        if (source.names().size() != source.units().size() || source.names().isEmpty()) {
            throw new IllegalArgumentException("sensor " + name + ": names and units must be non-empty and as many");
        }
        this.name = name;
        this.driver = driver;
        this.source = source;
        this.interval = interval;
        this.retry = retry;
        this.random = random;
        this.values = new Value[source.names().size()];
        this.since = since;
    }

    public String name() {
        return name;
    }

    /** Reading names, in order. */
    public List<String> names() {
        return source.names();
    }

    /**
     * Reads the sensor if it is due: the readings at {@code now}, or nothing when its own interval
     * has not come round (within half a {@code tick}), when it is faulted and its retry is not due,
     * or when the read (or retry) fails.
     */
    public synchronized List<Reading> sample(Instant now, Duration tick) {
        if (faulted) {
            if (now.isBefore(nextAttempt)) {
                return List.of();
            }
            retries++;
            totalRetries++;
            try {
                source.reinitialise();
                source.read(values);
            } catch (RuntimeException e) {
                stillFaulted(e, now);
                return List.of();
            }
            log.info("sensor {} ({}) recovered after {} {} (faulted {} for {})", name, driver, retries,
                    retries == 1 ? "retry" : "retries", reason, Duration.between(since, now));
            faulted = false;
            reason = "";
            message = "";
            since = now;
            retries = 0;
            lastRead = now;
            return readings(now);
        }
        if (interval.isPresent() && lastRead != null
                && now.plus(tick.dividedBy(2)).isBefore(lastRead.plus(interval.get()))) {
            return List.of();
        }
        try {
            source.read(values);
        } catch (RuntimeException e) {
            enterFault(e, now);
            return List.of();
        }
        lastRead = now;
        return readings(now);
    }

    private List<Reading> readings(Instant now) {
        List<Reading> out = new ArrayList<>(values.length);
        List<String> names = source.names();
        List<String> units = source.units();
        for (int i = 0; i < values.length; i++) {
            out.add(Reading.of(names.get(i), units.get(i), values[i], now));
        }
        return out;
    }

    private void enterFault(RuntimeException e, Instant now) {
        faulted = true;
        faults++;
        since = now;
        retries = 0;
        describe(e);
        nextAttempt = now.plus(retry.delay(1, random));
        if (e instanceof HalException) {
            log.warn("sensor {} ({}) faulted ({}): {}; retrying in {}", name, driver, reason, message,
                    Duration.between(now, nextAttempt));
        } else {
            log.warn("sensor {} ({}) faulted: {}; retrying in {}", name, driver, message, Duration.between(now, nextAttempt), e);
        }
    }

    private void stillFaulted(RuntimeException e, Instant now) {
        describe(e);
        nextAttempt = now.plus(retry.delay((int) Math.min(retries + 1, 30), random));
        log.debug("sensor {} ({}): retry {} failed ({}): {}; next in {}", name, driver, retries, reason, message,
                Duration.between(now, nextAttempt));
    }

    private void describe(RuntimeException e) {
        reason = e instanceof HalException h ? h.reason().name().toLowerCase(Locale.ROOT) : "io";
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        message = m.length() > 500 ? m.substring(0, 500) : m;
    }

    /** The sensor's health, as the status reports it. */
    public synchronized SensorHealth health() {
        return new SensorHealth(name, faulted ? SensorHealth.State.FAULTED : SensorHealth.State.OK, reason, message, since,
                retries);
    }

    public synchronized boolean isFaulted() {
        return faulted;
    }

    /** Times this sensor went from ok to faulted. */
    public synchronized long faults() {
        return faults;
    }

    /** Retries of this sensor since start. */
    public synchronized long totalRetries() {
        return totalRetries;
    }

    /** When a faulted sensor is tried again. */
    public synchronized Optional<Instant> nextAttempt() {
        return faulted ? Optional.of(nextAttempt) : Optional.empty();
    }
}

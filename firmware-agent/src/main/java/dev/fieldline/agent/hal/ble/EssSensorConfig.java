package dev.fieldline.agent.hal.ble;

import dev.fieldline.agent.uplink.ReconnectPolicy;
import java.time.Duration;
import java.util.List;

/**
 * A sensor offering the Bluetooth Environmental Sensing Service (0x181A) over GATT: the agent
 * connects, reads the characteristics, subscribes to notifications where the characteristic allows
 * them (and reads every {@code pollInterval} where it does not), and reconnects after a loss.
 *
 * @param match which device
 * @param characteristics what to read, in this order (the driver's quantities)
 * @param staleAfter a value older than this is not served (the read fails with STALE)
 * @param connectTimeout longest wait for a connection and its GATT services
 * @param pollInterval how often characteristics without notify are read
 * @param reconnect backoff between connection attempts
 */
public record EssSensorConfig(DeviceMatch match, List<EssCharacteristic> characteristics, Duration staleAfter,
                              Duration connectTimeout, Duration pollInterval, ReconnectPolicy reconnect) {
    public static final Duration DEFAULT_STALE_AFTER = Duration.ofMinutes(2);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(20);
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(30);
    public static final ReconnectPolicy DEFAULT_RECONNECT = new ReconnectPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60), 0.2);

    public EssSensorConfig {
        if (match == null) {
            throw new IllegalArgumentException("match must not be null");
        }
        if (characteristics == null || characteristics.isEmpty()) {
            throw new IllegalArgumentException("characteristics must name at least one of " + List.of(EssCharacteristic.values()));
        }
        characteristics = List.copyOf(characteristics);
        if (characteristics.stream().distinct().count() != characteristics.size()) {
            throw new IllegalArgumentException("characteristics must not repeat, were " + characteristics);
        }
        BthomeSensorConfig.requirePositive("staleAfter", staleAfter);
        BthomeSensorConfig.requirePositive("connectTimeout", connectTimeout);
        BthomeSensorConfig.requirePositive("pollInterval", pollInterval);
        if (reconnect == null) {
            throw new IllegalArgumentException("reconnect must not be null");
        }
    }

    /** Temperature and humidity of {@code match}, with the default timings. */
    public static EssSensorConfig of(DeviceMatch match) {
        return new EssSensorConfig(match, List.of(EssCharacteristic.TEMPERATURE, EssCharacteristic.HUMIDITY),
                DEFAULT_STALE_AFTER, DEFAULT_CONNECT_TIMEOUT, DEFAULT_POLL_INTERVAL, DEFAULT_RECONNECT);
    }

    public EssSensorConfig withCharacteristics(List<EssCharacteristic> which) {
        return new EssSensorConfig(match, which, staleAfter, connectTimeout, pollInterval, reconnect);
    }

    public EssSensorConfig withStaleAfter(Duration d) {
        return new EssSensorConfig(match, characteristics, d, connectTimeout, pollInterval, reconnect);
    }

    public EssSensorConfig withConnectTimeout(Duration d) {
        return new EssSensorConfig(match, characteristics, staleAfter, d, pollInterval, reconnect);
    }

    public EssSensorConfig withPollInterval(Duration d) {
        return new EssSensorConfig(match, characteristics, staleAfter, connectTimeout, d, reconnect);
    }

    public EssSensorConfig withReconnect(ReconnectPolicy p) {
        return new EssSensorConfig(match, characteristics, staleAfter, connectTimeout, pollInterval, p);
    }
}

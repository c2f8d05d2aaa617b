package dev.fieldline.agent.hal.pi4j;

import com.pi4j.context.Context;
import java.util.Set;

/**
 * Where a {@link Pi4jBoard} gets its Pi4J contexts: on a Pi, {@link #forHardware} loads the providers
 * the profile chose; in simulation a test supplies contexts of Pi4J's mock providers with emulated
 * chips behind them, and the same board code runs on top. Nothing here detects or falls back.
 *
 * <p>The board asks for one context per group of kinds (digital input and output together; I2C;
 * each SPI bus; PWM), because a Pi4J 2.8.0 context reserves each integer address once across all its
 * I/O kinds: GPIO 0, SPI chip select 0 and PWM channel 0 cannot share one context.
 */
public interface Pi4jContexts extends AutoCloseable {

    /**
     * A new context holding exactly the providers of {@code kinds}.
     *
     * @throws dev.fieldline.agent.hal.HalException with reason UNSUPPORTED when a provider cannot be
     *     loaded or started, naming the provider, the board and what to install or enable
     */
    Context open(Set<Pi4jProviders.Kind> kinds);

    /** The name of the provider serving {@code kind}, for messages, e.g. {@code gpiod}. */
    String providerName(Pi4jProviders.Kind kind);

    /** Releases what the providers hold beyond their contexts (the pigpio library). */
    @Override
    void close();

    /** The real providers the profile chose, with start-up checks. */
    static Pi4jContexts forHardware(Pi4jConfig config) {
        return new NativeProviders(config);
    }
}

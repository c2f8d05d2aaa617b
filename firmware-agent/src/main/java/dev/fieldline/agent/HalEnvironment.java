package dev.fieldline.agent;

import dev.fieldline.agent.hal.pi4j.Pi4jContexts;
import java.util.Optional;

/**
 * The lowest I/O layer the agent's HAL providers run on. On a device it is the hardware
 * ({@link #HARDWARE}): the providers the board profile chose, its serial port, the system bus. In
 * simulation a test swaps only this layer and everything above it (providers, drivers, fault
 * handling, the agent) runs as on the device: Pi4J contexts of mock providers with emulated chips,
 * a pty to a simulated ESP32 instead of the profile's serial port, a private D-Bus with a fake
 * BlueZ. Nothing here is chosen automatically and nothing falls back to it.
 *
 * @param pi4j Pi4J contexts for a {@code pi4j} board; empty: the profile's real providers
 * @param serialPort the serial port of an {@code esp32-bridge} board; empty: the profile's {@code bridge.port}
 * @param bleBusAddress the D-Bus address of BlueZ; empty: the system bus
 */
public record HalEnvironment(Optional<Pi4jContexts> pi4j, Optional<String> serialPort, Optional<String> bleBusAddress) {

    /** The hardware, as the board profile describes it. */
    public static final HalEnvironment HARDWARE = new HalEnvironment(Optional.empty(), Optional.empty(), Optional.empty());

    public HalEnvironment {
        if (pi4j == null || serialPort == null || bleBusAddress == null) {
            throw new IllegalArgumentException("pi4j, serialPort and bleBusAddress must not be null (use Optional.empty())");
        }
    }

    /** Pi4J contexts to open a {@code pi4j} board on (the board closes them when it closes). */
    public HalEnvironment withPi4j(Pi4jContexts contexts) {
        return new HalEnvironment(Optional.of(contexts), serialPort, bleBusAddress);
    }

    /** The serial port (or pty) of the ESP32, instead of the profile's. */
    public HalEnvironment withSerialPort(String port) {
        return new HalEnvironment(pi4j, Optional.of(port), bleBusAddress);
    }

    /** BlueZ on this D-Bus address instead of the system bus. */
    public HalEnvironment withBleBus(String address) {
        return new HalEnvironment(pi4j, serialPort, Optional.of(address));
    }

    /** True when nothing is swapped. */
    public boolean isHardware() {
        return pi4j.isEmpty() && serialPort.isEmpty() && bleBusAddress.isEmpty();
    }
}

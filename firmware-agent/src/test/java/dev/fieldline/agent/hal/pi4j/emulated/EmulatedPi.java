package dev.fieldline.agent.hal.pi4j.emulated;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.exception.Pi4JException;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import com.pi4j.plugin.mock.provider.pwm.MockPwm;
import com.pi4j.plugin.mock.provider.pwm.MockPwmProvider;
import com.pi4j.provider.Provider;
import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.pi4j.Pi4jContexts;
import dev.fieldline.agent.hal.pi4j.Pi4jProviders.Kind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Raspberry Pi without hardware: the lowest layer of the pi4j board swapped for Pi4J's mock
 * providers (digital in/out, PWM) and for I2C and SPI providers that subclass Pi4J's mocks to reach
 * emulated chips (inputs opened with a pull-up idle high). Chips are attached per bus and address (or chip select); every handle to an
 * address reaches the same chip, whose registers auto-increment as a real chip's do. An address
 * without a chip does not acknowledge, like an empty bus; a chip select without a chip reads 0xFF.
 *
 * <p>Faults: {@link #fail} makes a chip refuse (NACK) or hang the bus (TIMEOUT) for a number of
 * transfers; {@link #failOpen} makes a provider fail to start.
 */
public final class EmulatedPi implements Pi4jContexts {
    /** The name this fixture gives every provider in messages. */
    public static final String PROVIDER = "mock";

    private final Map<String, I2cChip> i2cChips = new ConcurrentHashMap<>();
    private final Map<String, SpiChip> spiChips = new ConcurrentHashMap<>();
    private final Map<String, Armed> faults = new ConcurrentHashMap<>();
    private final Map<String, List<Transfer>> log = new ConcurrentHashMap<>();
    private final Map<Kind, String> failingProviders = new EnumMap<>(Kind.class);
    private final List<Context> contexts = new CopyOnWriteArrayList<>();
    private final Object busLock = new Object();
    private volatile boolean closed;

    /** One transfer a chip saw: a write of {@code data}, or a read of {@code data.length} bytes. */
    public record Transfer(boolean write, int register, byte[] data) {
        @Override
        public String toString() {
            return (write ? "W " : "R ") + String.format("0x%02x", register) + (write ? " " + hex(data) : " +" + data.length);
        }
    }

    private static final class Armed {
        final BusFault fault;
        int remaining;

        Armed(BusFault fault, int remaining) {
            this.fault = fault;
            this.remaining = remaining;
        }
    }

    /** Puts {@code chip} on I2C bus {@code bus} at {@code address}. */
    public EmulatedPi attach(int bus, int address, I2cChip chip) {
        i2cChips.put(key(bus, address), chip);
        return this;
    }

    /** Takes the chip off the bus (unplugged): its address stops acknowledging. */
    public void detach(int bus, int address) {
        i2cChips.remove(key(bus, address));
    }

    /** Puts {@code chip} on SPI bus {@code bus} at chip select {@code chipSelect}. */
    public EmulatedPi attachSpi(int bus, int chipSelect, SpiChip chip) {
        spiChips.put(key(bus, chipSelect), chip);
        return this;
    }

    /** The next {@code times} transfers with the chip at {@code address} fail with {@code fault}. */
    public void fail(int bus, int address, BusFault fault, int times) {
        faults.put(key(bus, address), new Armed(fault, times));
    }

    /** Every transfer with the chip at {@code address} fails with {@code fault} until {@link #heal}. */
    public void fail(int bus, int address, BusFault fault) {
        fail(bus, address, fault, Integer.MAX_VALUE);
    }

    /** Ends a fault set with {@link #fail}. */
    public void heal(int bus, int address) {
        faults.remove(key(bus, address));
    }

    /** Opening a context with {@code kind} fails as a provider that cannot start would. */
    public synchronized void failOpen(Kind kind, String why) {
        failingProviders.put(kind, why);
    }

    /** The transfers the chip at {@code address} has seen, oldest first. */
    public List<Transfer> transfers(int bus, int address) {
        return List.copyOf(log.getOrDefault(key(bus, address), List.of()));
    }

    /** Forgets the transfer log. */
    public void clearTransfers() {
        log.clear();
    }

    @Override
    public synchronized Context open(Set<Kind> kinds) {
        if (closed) {
            throw new IllegalStateException("emulated Pi is closed");
        }
        for (Kind kind : kinds) {
            String why = failingProviders.get(kind);
            if (why != null) {
                throw new HalException(HalException.Reason.UNSUPPORTED, "pi4j provider " + PROVIDER + " ("
                        + kind.label() + ") cannot start: " + why);
            }
        }
        List<Provider<?, ?, ?>> providers = new ArrayList<>();
        for (Kind kind : kinds) {
            providers.add(switch (kind) {
                case DIGITAL_INPUT -> new PulledInputProvider();
                case DIGITAL_OUTPUT -> MockDigitalOutputProvider.newInstance();
                case I2C -> new EmulatedI2cProvider(this);
                case SPI -> new EmulatedSpiProvider(this);
                case PWM -> MockPwmProvider.newInstance();
            });
        }
        Context context = Pi4J.newContextBuilder().noAutoDetect().disableShutdownHook()
                .add(providers.toArray(new Provider[0])).build();
        contexts.add(context);
        return context;
    }

    @Override
    public String providerName(Kind kind) {
        return PROVIDER;
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Whether every context this fixture opened has been shut down (no leaked Pi4J runtimes). */
    public boolean allContextsShutDown() {
        return contexts.stream().allMatch(Context::isShutdown);
    }

    /** Drives the mock input line at {@code pin} (the board must have opened it). */
    public void setInput(int pin, boolean high) {
        MockDigitalInput in = find("gpio-in-" + pin, MockDigitalInput.class);
        in.mockState(DigitalState.getState(high));
    }

    /** The level the mock output at {@code pin} holds. */
    public boolean outputLevel(int pin) {
        return output(pin).state().isHigh();
    }

    /** The mock output at {@code pin} (keep it to look at the line after the board closed). */
    public MockDigitalOutput output(int pin) {
        return find("gpio-out-" + pin, MockDigitalOutput.class);
    }

    /** The mock PWM channel {@code channel}. */
    public MockPwm pwm(int channel) {
        return find("pwm-" + channel, MockPwm.class);
    }

    private <T> T find(String id, Class<T> type) {
        for (Context c : contexts) {
            if (!c.isShutdown() && c.registry().exists(id)) {
                return type.cast(c.registry().get(id));
            }
        }
        throw new IllegalStateException("no open I/O " + id);
    }

    // called by the emulated providers

    void i2cWrite(int bus, int address, int register, byte[] data) {
        synchronized (busLock) {
            I2cChip chip = i2cChip(bus, address);
            record(bus, address, new Transfer(true, register, data.clone()));
            chip.write(register, data);
        }
    }

    byte[] i2cRead(int bus, int address, int register, int length) {
        synchronized (busLock) {
            I2cChip chip = i2cChip(bus, address);
            byte[] data = chip.read(register, length);
            record(bus, address, new Transfer(false, register, data.clone()));
            return data;
        }
    }

    byte[] spiTransfer(int bus, int chipSelect, byte[] tx) {
        synchronized (busLock) {
            SpiChip chip = spiChips.get(key(bus, chipSelect));
            if (chip == null) {
                byte[] floating = new byte[tx.length];
                java.util.Arrays.fill(floating, (byte) 0xff);
                return floating;
            }
            return chip.transfer(tx);
        }
    }

    private I2cChip i2cChip(int bus, int address) {
        String k = key(bus, address);
        Armed armed = faults.get(k);
        if (armed != null && armed.remaining > 0) {
            armed.remaining--;
            throw busError(bus, address, armed.fault);
        }
        I2cChip chip = i2cChips.get(k);
        if (chip == null) {
            throw busError(bus, address, BusFault.NACK);
        }
        return chip;
    }

    private void record(int bus, int address, Transfer t) {
        log.computeIfAbsent(key(bus, address), k -> new CopyOnWriteArrayList<>()).add(t);
    }

    /** What Pi4J's linuxfs provider throws when the I2C_RDWR ioctl fails. */
    private static Pi4JException busError(int bus, int address, BusFault fault) {
        return new Pi4JException("Failed to execute action for device " + address + " on bus " + bus,
                new Pi4JException("Failed to execute ioctl for device " + address + " on bus " + bus,
                        new IOException(fault.strerror())));
    }

    private static String key(int bus, int address) {
        return bus + "/" + address;
    }

    static String hex(byte[] data) {
        StringBuilder sb = new StringBuilder();
        for (byte b : data) {
            sb.append(String.format("%02x", b & 0xff));
        }
        return sb.toString();
    }
}

package dev.fieldline.agent.hal.pi4j;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInputProvider;
import com.pi4j.io.gpio.digital.DigitalOutputProvider;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.io.i2c.I2CProvider;
import com.pi4j.io.pwm.PwmProvider;
import com.pi4j.io.pwm.PwmType;
import com.pi4j.io.spi.SpiBus;
import com.pi4j.io.spi.SpiMode;
import com.pi4j.io.spi.SpiProvider;
import com.pi4j.provider.Provider;
import dev.fieldline.agent.hal.AnalogInput;
import dev.fieldline.agent.hal.Board;
import dev.fieldline.agent.hal.DigitalInput;
import dev.fieldline.agent.hal.DigitalOutput;
import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.HalException.Reason;
import dev.fieldline.agent.hal.I2cDevice;
import dev.fieldline.agent.hal.PwmOutput;
import dev.fieldline.agent.hal.Pull;
import dev.fieldline.agent.hal.SerialPort;
import dev.fieldline.agent.hal.SpiDevice;
import dev.fieldline.agent.hal.pi4j.Pi4jProviders.Kind;
import dev.fieldline.boards.Uart;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code pi4j} HAL provider: a Raspberry Pi's GPIO, I2C, SPI and PWM through Pi4J 2.8.0, each kind
 * through the provider the board profile chose ({@link Pi4jProviders}), and its UARTs through
 * jSerialComm on the device file the profile gives ({@link JSerialCommPort}). GPIO pins use BCM numbering;
 * buses are named {@code i2c<N>} ({@code /dev/i2c-N}) and {@code spi<N>} ({@code /dev/spidevN.<cs>}).
 *
 * <p>A provider that cannot start fails the call that needed it with a {@link HalException} of
 * reason UNSUPPORTED naming the provider, the board and what to install; since the agent opens its
 * pins and buses while it starts, start-up stops. A device that does not answer is a fault of that
 * device (ABSENT, NACK, TIMEOUT), reported by its transfers, never at opening.
 *
 * <p>The same class runs in simulation: {@link #open(Pi4jConfig, Pi4jContexts, Clock)} with contexts
 * of Pi4J's mock providers and emulated chips swaps only the lowest layer.
 *
 * <p>A Pi has no ADC: {@link #analogInput} is UNSUPPORTED (wire an MCP3008 on SPI instead).
 */
public final class Pi4jBoard implements Board {
    public static final String PLATFORM = "pi4j";
    private static final Logger log = LoggerFactory.getLogger(Pi4jBoard.class);
    private static final Pattern I2C_BUS = Pattern.compile("i2c-?(\\d{1,2})");
    private static final Pattern SPI_BUS = Pattern.compile("spi-?(\\d{1,2})");
    /** BCM GPIO numbers on the 40-pin header. */
    private static final int MAX_GPIO = 27;

    private final Pi4jConfig config;
    private final Pi4jContexts contexts;
    private final Clock clock;
    /** One Pi4J context per group: "digital", "i2c", "pwm", "spi<N>". */
    private final Map<String, Context> opened = new LinkedHashMap<>();
    private final Map<Integer, Pi4jDigitalInput> inputs = new TreeMap<>();
    private final Map<Integer, Pi4jDigitalOutput> outputs = new TreeMap<>();
    private final Map<String, Pi4jI2cDevice> i2cDevices = new TreeMap<>();
    private final Map<String, Pi4jSpiDevice> spiDevices = new TreeMap<>();
    private final Map<Integer, Pi4jPwmOutput> pwmOutputs = new TreeMap<>();
    private final Map<String, JSerialCommPort> serialPorts = new TreeMap<>();
    private boolean closed;

    private Pi4jBoard(Pi4jConfig config, Pi4jContexts contexts, Clock clock) {
        this.config = config;
        this.contexts = contexts;
        this.clock = clock;
    }

    /** The board on the real providers the configuration names. */
    public static Pi4jBoard open(Pi4jConfig config, Clock clock) {
        return open(config, Pi4jContexts.forHardware(config), clock);
    }

    /**
     * The board on the given contexts: the real ones, or Pi4J's mock providers with emulated chips in
     * simulation. Opens the digital, I2C and PWM providers the configuration names now, so that one
     * that cannot start fails here; SPI buses open at first use.
     */
    public static Pi4jBoard open(Pi4jConfig config, Pi4jContexts contexts, Clock clock) {
        if (config == null || contexts == null || clock == null) {
            throw new IllegalArgumentException("config, contexts and clock must not be null");
        }
        Pi4jBoard board = new Pi4jBoard(config, contexts, clock);
        try {
            Pi4jProviders p = config.providers();
            if (p.provider(Kind.DIGITAL_INPUT).isPresent() || p.provider(Kind.DIGITAL_OUTPUT).isPresent()) {
                board.context("digital", digitalKinds(p));
            }
            if (p.provider(Kind.I2C).isPresent()) {
                board.context("i2c", EnumSet.of(Kind.I2C));
            }
            if (p.provider(Kind.PWM).isPresent()) {
                board.context("pwm", EnumSet.of(Kind.PWM));
            }
        } catch (RuntimeException e) {
            board.close();
            throw e;
        }
        log.info("pi4j board {} opened: {}", config.board(), describe(p -> contexts.providerName(p), config.providers()));
        return board;
    }

    private static Set<Kind> digitalKinds(Pi4jProviders p) {
        Set<Kind> kinds = EnumSet.noneOf(Kind.class);
        if (p.provider(Kind.DIGITAL_INPUT).isPresent()) {
            kinds.add(Kind.DIGITAL_INPUT);
        }
        if (p.provider(Kind.DIGITAL_OUTPUT).isPresent()) {
            kinds.add(Kind.DIGITAL_OUTPUT);
        }
        return kinds;
    }

    private static String describe(Function<Kind, String> name, Pi4jProviders p) {
        List<String> parts = new ArrayList<>();
        for (Kind k : p.byKind().keySet()) {
            parts.add(k.label() + "=" + name.apply(k));
        }
        return String.join(", ", parts);
    }

    @Override
    public String platform() {
        return PLATFORM;
    }

    /** The board profile's name this board was opened for. */
    public String board() {
        return config.board();
    }

    @Override
    public AnalogInput analogInput(int channel) {
        throw new HalException(Reason.UNSUPPORTED, "board " + config.board() + " (platform " + PLATFORM
                + ") has no ADC: a Raspberry Pi's GPIO pins are digital; wire the analog sensor to an MCP3008 on SPI");
    }

    @Override
    public DigitalInput digitalInput(int pin) {
        return digitalInput(pin, Pull.NONE);
    }

    @Override
    public synchronized DigitalInput digitalInput(int pin, Pull pull) {
        checkOpen();
        checkGpio(pin);
        if (pull == null) {
            throw new IllegalArgumentException("pull must not be null");
        }
        if (outputs.containsKey(pin)) {
            throw new IllegalArgumentException("GPIO " + pin + " is already an output on board " + config.board());
        }
        return inputs.computeIfAbsent(pin, p -> {
            Context ctx = digitalContext(Kind.DIGITAL_INPUT);
            DigitalInputProvider provider = provider(ctx, Kind.DIGITAL_INPUT, DigitalInputProvider.class);
            var pinConfig = com.pi4j.io.gpio.digital.DigitalInput.newConfigBuilder(ctx)
                    .id("gpio-in-" + pin).address(pin).pull(pullOf(pull)).debounce(0L).build();
            return new Pi4jDigitalInput(create(Kind.DIGITAL_INPUT, provider.id(), "GPIO " + pin,
                    () -> provider.create(pinConfig)), pin, clock);
        });
    }

    @Override
    public DigitalOutput digitalOutput(int pin) {
        return digitalOutput(pin, false);
    }

    /**
     * An output claimed at {@code initialLevel} and returned to it when the board closes (Pi4J's
     * shutdown state), so that an actuator neither glitches at start nor stays on after a stop.
     */
    @Override
    public synchronized DigitalOutput digitalOutput(int pin, boolean initialLevel) {
        checkOpen();
        checkGpio(pin);
        if (inputs.containsKey(pin)) {
            throw new IllegalArgumentException("GPIO " + pin + " is already an input on board " + config.board());
        }
        return outputs.computeIfAbsent(pin, p -> {
            Context ctx = digitalContext(Kind.DIGITAL_OUTPUT);
            DigitalOutputProvider provider = provider(ctx, Kind.DIGITAL_OUTPUT, DigitalOutputProvider.class);
            DigitalState level = DigitalState.getState(initialLevel);
            var pinConfig = com.pi4j.io.gpio.digital.DigitalOutput.newConfigBuilder(ctx)
                    .id("gpio-out-" + pin).address(pin).initial(level).shutdown(level).build();
            return new Pi4jDigitalOutput(create(Kind.DIGITAL_OUTPUT, provider.id(), "GPIO " + pin,
                    () -> provider.create(pinConfig)), pin, initialLevel);
        });
    }

    @Override
    public synchronized I2cDevice i2c(String bus, int address) {
        checkOpen();
        int busNumber = busNumber(I2C_BUS, bus, "I2C", "i2c1");
        if (address < 0x03 || address > 0x77) {
            throw new IllegalArgumentException("I2C address must be a 7-bit device address 0x03..0x77, was 0x"
                    + Integer.toHexString(address));
        }
        return i2cDevices.computeIfAbsent(bus + "/" + address, key -> {
            Context ctx = context("i2c", EnumSet.of(Kind.I2C));
            I2CProvider provider = provider(ctx, Kind.I2C, I2CProvider.class);
            String id = String.format("i2c-%d-0x%02x", busNumber, address);
            var devConfig = com.pi4j.io.i2c.I2C.newConfigBuilder(ctx).id(id).bus(busNumber).device(address).build();
            return new Pi4jI2cDevice(create(Kind.I2C, provider.id(), "bus " + bus + " (/dev/i2c-" + busNumber + ")",
                    () -> provider.create(devConfig)), bus, address);
        });
    }

    @Override
    public synchronized SpiDevice spi(String bus, int chipSelect) {
        checkOpen();
        int busNumber = busNumber(SPI_BUS, bus, "SPI", "spi0");
        if (chipSelect < 0 || chipSelect > 2) {
            throw new IllegalArgumentException("SPI chip select must be 0..2, was " + chipSelect);
        }
        SpiBus spiBus = SpiBus.getByNumber(busNumber);
        if (spiBus == null) {
            throw new IllegalArgumentException("SPI bus '" + bus + "': Pi4J drives SPI buses 0..6");
        }
        return spiDevices.computeIfAbsent(bus + "/" + chipSelect, key -> {
            // one context per bus: Pi4J 2.8.0 reserves the chip select number across the whole context
            Context ctx = context("spi" + busNumber, EnumSet.of(Kind.SPI));
            SpiProvider provider = provider(ctx, Kind.SPI, SpiProvider.class);
            var devConfig = com.pi4j.io.spi.Spi.newConfigBuilder(ctx).id("spi-" + busNumber + "-" + chipSelect)
                    .bus(spiBus).channel(chipSelect).mode(SpiMode.MODE_0).baud(config.spiClockHz()).build();
            return new Pi4jSpiDevice(create(Kind.SPI, provider.id(), "bus " + bus + " chip select " + chipSelect
                    + " (/dev/spidev" + busNumber + "." + chipSelect + ")", () -> provider.create(devConfig)),
                    bus, chipSelect);
        });
    }

    @Override
    public synchronized PwmOutput pwm(int pin) {
        checkOpen();
        checkGpio(pin);
        Integer channel = config.pwmChannels().get(pin);
        if (channel == null) {
            throw new HalException(Reason.UNSUPPORTED, "GPIO " + pin + " has no hardware PWM channel on board "
                    + config.board() + " (PWM pins: " + config.pwmChannels().keySet() + ")");
        }
        return pwmOutputs.computeIfAbsent(pin, p -> {
            Context ctx = context("pwm", EnumSet.of(Kind.PWM));
            PwmProvider provider = provider(ctx, Kind.PWM, PwmProvider.class);
            var pwmConfig = com.pi4j.io.pwm.Pwm.newConfigBuilder(ctx).id("pwm-" + channel).address(channel)
                    .pwmType(PwmType.HARDWARE).initial(0).shutdown(0).build();
            return new Pi4jPwmOutput(create(Kind.PWM, provider.id(), "GPIO " + pin + " (PWM channel " + channel
                    + " of /sys/class/pwm/pwmchip" + config.pwmChip() + ")", () -> provider.create(pwmConfig)), pin);
        });
    }

    /**
     * The UART the profile names {@code uart}, through jSerialComm on its device file with its line
     * settings. A port closed by its user is opened again on the next call.
     */
    @Override
    public synchronized SerialPort serial(String uart) {
        checkOpen();
        if (uart == null) {
            throw new IllegalArgumentException("uart must not be null");
        }
        Uart u = config.uarts().get(uart);
        if (u == null) {
            throw new IllegalArgumentException("board " + config.board() + " has no UART '" + uart + "'; UARTs: "
                    + (config.uarts().isEmpty() ? "none (declare one under uart: and choose providers: {serial: jserialcomm})"
                            : String.join(", ", config.uarts().keySet())));
        }
        JSerialCommPort port = serialPorts.get(uart);
        if (port == null || !port.isOpen()) {
            port = JSerialCommPort.open(config.board(), u);
            serialPorts.put(uart, port);
        }
        return port;
    }

    private Context digitalContext(Kind kind) {
        if (config.providers().provider(kind).isEmpty()) {
            throw new HalException(Reason.UNSUPPORTED, "board " + config.board() + " chose no pi4j provider for "
                    + kind.label() + "; valid: " + String.join(", ", kind.allowed()));
        }
        return context("digital", digitalKinds(config.providers()));
    }

    private Context context(String group, Set<Kind> kinds) {
        Context ctx = opened.get(group);
        if (ctx == null) {
            ctx = contexts.open(kinds);
            opened.put(group, ctx);
        }
        return ctx;
    }

    private <P extends Provider<?, ?, ?>> P provider(Context ctx, Kind kind, Class<P> type) {
        var found = ctx.providers().all(type);
        if (found.size() != 1) {
            throw new HalException(Reason.UNSUPPORTED, "board " + config.board() + ": the Pi4J context for "
                    + kind.label() + " holds " + found.size() + " providers " + found.keySet() + ", expected exactly one ("
                    + contexts.providerName(kind) + ")");
        }
        return found.values().iterator().next();
    }

    /** Creates a Pi4J I/O; a failure here is the provider's (missing device node, library, permission). */
    private <T> T create(Kind kind, String providerId, String what, java.util.function.Supplier<T> creation) {
        try {
            return creation.get();
        } catch (RuntimeException | LinkageError e) {
            throw NativeProviders.failure(config.board(), contexts.providerName(kind), kind,
                    "Pi4J provider " + providerId + " could not open " + what + ": " + rootCause(e), e);
        }
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        StringBuilder chain = new StringBuilder(String.valueOf(t.getMessage()));
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            chain.append(": ").append(t.getMessage());
        }
        return chain.toString();
    }

    private static PullResistance pullOf(Pull pull) {
        return switch (pull) {
            case NONE -> PullResistance.OFF;
            case UP -> PullResistance.PULL_UP;
            case DOWN -> PullResistance.PULL_DOWN;
        };
    }

    private int busNumber(Pattern pattern, String bus, String kind, String example) {
        if (bus == null) {
            throw new IllegalArgumentException(kind + " bus name must not be null");
        }
        Matcher m = pattern.matcher(bus);
        if (!m.matches()) {
            throw new IllegalArgumentException(kind + " bus '" + bus + "' on board " + config.board()
                    + " must be named like " + example);
        }
        return Integer.parseInt(m.group(1));
    }

    private void checkGpio(int pin) {
        if (pin < 0 || pin > MAX_GPIO) {
            throw new IllegalArgumentException("GPIO " + pin + " is not on the 40-pin header (BCM 0.." + MAX_GPIO + ")");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("pi4j board " + config.board() + " is closed");
        }
    }

    /**
     * Releases the hardware: listeners removed, PWM stopped, serial ports closed, outputs returned to the level they were
     * opened at (Pi4J's shutdown state), then each context and the providers' libraries shut down.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        inputs.values().forEach(Pi4jDigitalInput::clearListeners);
        for (Pi4jPwmOutput p : pwmOutputs.values()) {
            try {
                p.off();
            } catch (RuntimeException e) {
                log.warn("pi4j board {}: could not stop PWM on GPIO {}: {}", config.board(), p.pin(), e.getMessage());
            }
        }
        serialPorts.values().forEach(JSerialCommPort::close);
        List<Context> reverse = new ArrayList<>(opened.values());
        java.util.Collections.reverse(reverse);
        for (Context ctx : reverse) {
            try {
                ctx.shutdown();
            } catch (RuntimeException e) {
                log.warn("pi4j board {}: Pi4J context shutdown failed: {}", config.board(), e.toString());
            }
        }
        opened.clear();
        contexts.close();
        log.info("pi4j board {} closed", config.board());
    }
}

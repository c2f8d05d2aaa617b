package dev.fieldline.agent.hal.esp32;

import dev.fieldline.agent.hal.AnalogInput;
import dev.fieldline.agent.hal.Board;
import dev.fieldline.agent.hal.DigitalInput;
import dev.fieldline.agent.hal.DigitalOutput;
import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.HalException.Reason;
import dev.fieldline.agent.hal.I2cDevice;
import dev.fieldline.agent.hal.Pull;
import dev.fieldline.agent.hal.PwmOutput;
import dev.fieldline.agent.hal.esp32.BridgeInfo.Capability;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code esp32-bridge} HAL provider: an ESP32 running the Fieldline bridge program
 * ({@code docs/esp32-bridge.md}) is the agent's I/O front end over a serial port. Pins are the ESP32's
 * GPIO numbers; {@link #analogInput(int)} takes the GPIO number of an ADC1 pin (36 for ADC1_CH0 on the
 * ESP32). The board remembers what it was asked to configure (lines and their last written levels,
 * PWM settings, I2C buses, the subscription) and replays it whenever the link is synchronised again:
 * after the ESP32 resets, after the port comes back, after the link stopped answering.
 *
 * <p>Failures are {@link HalException}s: ABSENT while the port is gone, TIMEOUT when the ESP32 does
 * not answer, GARBAGE when only damaged frames come back, STALE for a pushed value that stopped
 * arriving, NACK and TIMEOUT for I2C, UNSUPPORTED for what the chip cannot do
 * ({@link Esp32BridgeException} carries the bridge's own error code).
 */
public final class Esp32Board implements Board {
    public static final String PLATFORM = "esp32-bridge";
    /** The push period used when only input listeners ask for pushes. */
    public static final Duration DEFAULT_PUSH_PERIOD = Duration.ofMillis(20);

    private static final Logger log = LoggerFactory.getLogger(Esp32Board.class);

    /** A channel of pushed readings: the level of a GPIO line or the count of an ADC pin. */
    public record Channel(Source source, int pin) {
        public enum Source {
            GPIO, ADC
        }

        public Channel {
            Objects.requireNonNull(source, "source");
        }

        public static Channel gpio(int pin) {
            return new Channel(Source.GPIO, pin);
        }

        public static Channel adc(int pin) {
            return new Channel(Source.ADC, pin);
        }
    }

    /** What the ESP32 pushes, under one tag. */
    private record Subscription(int tag, Duration period, List<Channel> channels) {
        static final Subscription NONE = new Subscription(0, Duration.ZERO, List.of());
    }

    /** A pushed value and when it arrived. */
    private record Latest(int value, long nanos) {
    }

    private final Esp32BridgeConfig config;
    private final BridgeClient client;
    private final Object lock = new Object();
    private final Map<String, Bus> buses = new LinkedHashMap<>();
    private final Map<Integer, Line> lines = new ConcurrentSkipListMap<>();
    private final Map<Integer, Pwm> pwms = new TreeMap<>();
    private final Map<Integer, Adc> adcs = new TreeMap<>();
    private Duration requestedPeriod = Duration.ZERO;
    private final Set<Channel> requestedChannels = new LinkedHashSet<>();
    private int nextTag = 1;
    private volatile Subscription current = Subscription.NONE;
    private volatile Subscription previous = Subscription.NONE;
    private final Map<Channel, Latest> latest = new ConcurrentHashMap<>();
    private final List<Consumer<Readings>> readingsListeners = new CopyOnWriteArrayList<>();

    private Esp32Board(Esp32BridgeConfig config, SerialLink link, int firstRequestId) {
        this.config = config;
        this.client = new BridgeClient(config, link, firstRequestId, new BridgeClient.Owner() {
            @Override
            public void synced(BridgeInfo info, long bootId) {
                replay();
            }

            @Override
            public void readings(Packet readings, Instant receivedAt) {
                pushed(readings, receivedAt);
            }
        });
    }

    /**
     * Opens the serial port named by the config and shakes hands with the bridge.
     *
     * @throws HalException ABSENT when the port cannot be opened, TIMEOUT when the ESP32 does not
     *     answer within the config's start timeout, UNSUPPORTED for a bridge of another protocol version
     */
    public static Esp32Board open(Esp32BridgeConfig config) {
        return open(config, new JSerialCommLink(config.port(), config.baud()), 0);
    }

    /** On any link, with request ids from {@code firstRequestId} (0: a random start, as on a port). */
    static Esp32Board open(Esp32BridgeConfig config, SerialLink link, int firstRequestId) {
        Esp32Board board = new Esp32Board(config, link, firstRequestId);
        try {
            board.client.start();
        } catch (RuntimeException e) {
            board.client.close();
            throw e;
        }
        return board;
    }

    @Override
    public String platform() {
        return PLATFORM;
    }

    /** What the bridge said about itself at the last handshake. */
    public BridgeInfo info() {
        return client.info();
    }

    /** The ESP32's current boot id (changes when it restarts). */
    public long bootId() {
        return client.bootId();
    }

    /** True while the link is synchronised with the ESP32. */
    public boolean isConnected() {
        return client.isSynced();
    }

    public BridgeStats stats() {
        return client.stats();
    }

    /** The ESP32's own counters (a STATS request). */
    public DeviceStats deviceStats() {
        return DeviceStats.parse(client.call(BridgeProtocol.STATS, new byte[0]));
    }

    /** Round trip of a PING; throws when the ESP32 does not answer. */
    public Duration ping() {
        long t = System.nanoTime();
        client.call(BridgeProtocol.PING, new byte[0]);
        return Duration.ofNanos(System.nanoTime() - t);
    }

    // ---- GPIO ----

    @Override
    public DigitalInput digitalInput(int pin) {
        return digitalInput(pin, Pull.NONE);
    }

    @Override
    public DigitalInput digitalInput(int pin, Pull pull) {
        int mode = switch (pull) {
            case NONE -> BridgeProtocol.MODE_IN;
            case UP -> BridgeProtocol.MODE_IN_PULL_UP;
            case DOWN -> BridgeProtocol.MODE_IN_PULL_DOWN;
        };
        require(pin, Capability.INPUT, "a digital input");
        if (pull != Pull.NONE) {
            require(pin, Capability.PULL, "a pull resistor");
        }
        Input in;
        synchronized (lock) {
            Line existing = lines.get(pin);
            if (existing instanceof Input i && i.mode == mode) {
                return i;
            }
            claim(pin, existing == null ? null : "a digital line");
            in = new Input(pin, mode);
            lines.put(pin, in);
        }
        in.configure();
        return in;
    }

    @Override
    public DigitalOutput digitalOutput(int pin) {
        return digitalOutput(pin, false);
    }

    @Override
    public DigitalOutput digitalOutput(int pin, boolean initialLevel) {
        require(pin, Capability.OUTPUT, "a digital output");
        Output out;
        synchronized (lock) {
            Line existing = lines.get(pin);
            if (existing instanceof Output o) {
                return o;
            }
            claim(pin, existing == null ? null : "a digital input");
            out = new Output(pin, initialLevel);
            lines.put(pin, out);
        }
        out.configure();
        return out;
    }

    // ---- ADC ----

    @Override
    public AnalogInput analogInput(int pin) {
        require(pin, Capability.ADC, "an ADC input");
        synchronized (lock) {
            Adc a = adcs.get(pin);
            if (a == null) {
                claim(pin, null);
                a = new Adc(pin);
                adcs.put(pin, a);
            }
            return a;
        }
    }

    // ---- PWM ----

    @Override
    public PwmOutput pwm(int pin) {
        require(pin, Capability.PWM, "a PWM output");
        synchronized (lock) {
            Pwm p = pwms.get(pin);
            if (p == null) {
                claim(pin, null);
                if (pwms.size() >= info().pwmChannels()) {
                    throw new HalException(Reason.UNSUPPORTED, "the " + info().chip() + " runs at most "
                            + info().pwmChannels() + " PWM outputs (in use: " + pwms.keySet() + ")");
                }
                p = new Pwm(pin);
                pwms.put(pin, p);
            }
            return p;
        }
    }

    // ---- I2C ----

    /**
     * Declares the I2C bus the profile calls {@code name} on pins {@code sda} and {@code scl}; the
     * buses take the ESP32's I2C controllers in the order they are declared.
     */
    public void defineI2cBus(String name, int sda, int scl, int frequencyHz) {
        Objects.requireNonNull(name, "name");
        require(sda, Capability.I2C, "I2C SDA");
        require(scl, Capability.I2C, "I2C SCL");
        if (sda == scl) {
            throw new IllegalArgumentException("I2C bus " + name + ": SDA and SCL are both GPIO " + sda);
        }
        if (frequencyHz < 1000 || frequencyHz > 1_000_000) {
            throw new IllegalArgumentException("I2C bus " + name + ": frequency must be 1 kHz..1 MHz, was " + frequencyHz);
        }
        Bus bus;
        synchronized (lock) {
            if (buses.containsKey(name)) {
                throw new IllegalArgumentException("I2C bus " + name + " is already defined");
            }
            if (buses.size() >= info().i2cControllers()) {
                throw new IllegalArgumentException("the " + info().chip() + " has " + info().i2cControllers()
                        + " I2C controllers, all taken by " + buses.keySet());
            }
            claim(sda, null);
            claim(scl, null);
            bus = new Bus(name, buses.size(), sda, scl, frequencyHz);
            buses.put(name, bus);
        }
        client.call(BridgeProtocol.I2C_CONFIG, bus.config());
    }

    @Override
    public I2cDevice i2c(String bus, int address) {
        if (address < 0 || address > 0x7F) {
            throw new IllegalArgumentException("I2C address must be 0..0x7f, was " + address);
        }
        synchronized (lock) {
            Bus b = buses.get(bus);
            if (b == null) {
                throw new IllegalArgumentException("I2C bus " + bus + " is not defined on this board (defined: "
                        + buses.keySet() + ")");
            }
            return new Device(b, address);
        }
    }

    // ---- pushed readings ----

    /**
     * Makes the ESP32 push {@code channels} every {@code period} (replacing an earlier request; an
     * empty list or a zero period stops them). While a channel is pushed, reading it returns the
     * latest pushed value, and STALE once pushes have stopped for five periods (at least the request
     * budget). GPIO channels need their line opened first; ADC channels are opened here.
     */
    public void subscribe(Duration period, Collection<Channel> channels) {
        Objects.requireNonNull(period, "period");
        boolean stop = period.isZero() || channels.isEmpty();
        if (!stop) {
            if (period.compareTo(info().minPushPeriod()) < 0 || period.toMillis() > 0xFFFF) {
                throw new IllegalArgumentException("push period must be " + info().minPushPeriod().toMillis()
                        + "..65535 ms, was " + period.toMillis() + " ms");
            }
            for (Channel c : channels) {
                if (c.source() == Channel.Source.ADC) {
                    analogInput(c.pin());
                } else if (!lines.containsKey(c.pin())) {
                    throw new IllegalArgumentException("GPIO " + c.pin() + " must be opened as a digital input or"
                            + " output before it can be pushed");
                }
            }
        }
        synchronized (lock) {
            requestedChannels.clear();
            if (!stop) {
                requestedChannels.addAll(channels);
            }
            requestedPeriod = stop ? Duration.ZERO : period;
        }
        resubscribe(false);
    }

    /** Called with every pushed frame, on the bridge's reader thread: keep it short. */
    public void addReadingsListener(Consumer<Readings> listener) {
        readingsListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeReadingsListener(Consumer<Readings> listener) {
        readingsListeners.remove(listener);
    }

    /** What the ESP32 pushes now, in the order of the values. */
    public List<Channel> subscribedChannels() {
        return current.channels();
    }

    private void resubscribe(boolean replaying) {
        Subscription next;
        synchronized (lock) {
            Set<Channel> channels = new LinkedHashSet<>(requestedChannels);
            for (Line l : lines.values()) {
                if (l instanceof Input in && !in.listeners.isEmpty()) {
                    channels.add(Channel.gpio(in.pin));
                }
            }
            if (channels.size() > info().maxChannels()) {
                throw new IllegalArgumentException("the bridge pushes at most " + info().maxChannels()
                        + " channels, asked for " + channels.size() + ": " + channels);
            }
            Duration period = channels.isEmpty() ? Duration.ZERO
                    : requestedPeriod.isZero() ? DEFAULT_PUSH_PERIOD : requestedPeriod;
            int tag = 0;
            if (!channels.isEmpty()) {
                tag = nextTag;
                nextTag = nextTag == 255 ? 1 : nextTag + 1;
            }
            next = new Subscription(tag, period, List.copyOf(channels));
        }
        if (!replaying && next.channels().equals(current.channels()) && next.period().equals(current.period())) {
            return;
        }
        ByteBuffer b = ByteBuffer.allocate(4 + 2 * next.channels().size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) next.period().toMillis()).put((byte) next.tag()).put((byte) next.channels().size());
        for (Channel c : next.channels()) {
            b.put((byte) (c.source() == Channel.Source.ADC ? BridgeProtocol.SRC_ADC : BridgeProtocol.SRC_GPIO));
            b.put((byte) c.pin());
        }
        Subscription before = current;
        previous = before;
        current = next; // before the request: pushes under the new tag may follow its reply at once
        latest.keySet().retainAll(next.channels());
        try {
            if (replaying) {
                if (!next.channels().isEmpty()) {
                    client.exchange(BridgeProtocol.SUBSCRIBE, b.array());
                }
            } else {
                client.call(BridgeProtocol.SUBSCRIBE, b.array());
            }
        } catch (Esp32BridgeException e) {
            current = before; // refused: the ESP32 still pushes what it did
            throw e;
        }
    }

    /** For listeners: a link that is down gets the subscription when it is replayed. */
    private void resubscribeLater() {
        try {
            resubscribe(false);
        } catch (Esp32BridgeException e) {
            throw e;
        } catch (HalException e) {
            log.debug("ESP32 bridge on {}: subscription waits for the link: {}", config.port(), e.getMessage());
        }
    }

    private void pushed(Packet p, Instant at) {
        if (p.length() < 6) {
            return;
        }
        int tag = p.u8(4);
        int n = p.u8(5);
        Subscription s = current;
        if (s.tag() != tag) {
            s = previous;
        }
        if (s.tag() != tag || s.channels().size() != n || p.length() != 6 + 2 * n) {
            log.debug("READINGS frame for an unknown subscription dropped: {}", p);
            return;
        }
        int[] values = new int[n];
        long nanos = System.nanoTime();
        for (int i = 0; i < n; i++) {
            values[i] = p.u16(6 + 2 * i);
            Channel c = s.channels().get(i);
            if (values[i] == BridgeProtocol.UNREADABLE) {
                continue;
            }
            if (s == current) {
                latest.put(c, new Latest(values[i], nanos));
            }
            if (c.source() == Channel.Source.GPIO && lines.get(c.pin()) instanceof Input in) {
                in.pushed(values[i] != 0, at);
            }
        }
        if (!readingsListeners.isEmpty()) {
            Readings r = new Readings(p.u16(0), p.u16(2), at, s.channels(), values);
            for (Consumer<Readings> l : readingsListeners) {
                l.accept(r);
            }
        }
    }

    /** The latest pushed value of {@code c}, or -1 when it is not pushed or none has come yet; STALE when old. */
    private int pushedValue(Channel c) {
        Subscription s = current;
        if (!s.channels().contains(c)) {
            return -1;
        }
        Latest l = latest.get(c);
        if (l == null) {
            return -1;
        }
        Duration age = Duration.ofNanos(System.nanoTime() - l.nanos());
        Duration limit = s.period().multipliedBy(5);
        if (limit.compareTo(config.requestBudget()) < 0) {
            limit = config.requestBudget();
        }
        if (age.compareTo(limit) <= 0) {
            return l.value();
        }
        if (!client.isSynced()) {
            return -1; // the request that follows fails with the link's own reason
        }
        throw new HalException(Reason.STALE, c + " on the ESP32 bridge on " + config.port() + ": no value pushed for "
                + age.toMillis() + " ms (period " + s.period().toMillis() + " ms)");
    }

    // ---- re-synchronisation ----

    /** Runs on the link thread after each handshake: the ESP32 gets back what it was told before. */
    private void replay() {
        List<Bus> b;
        List<Line> l;
        List<Pwm> p;
        synchronized (lock) {
            b = new ArrayList<>(buses.values());
            l = new ArrayList<>(lines.values());
            p = new ArrayList<>(pwms.values());
        }
        for (Bus bus : b) {
            replayOne("I2C bus " + bus.name, BridgeProtocol.I2C_CONFIG, bus.config());
        }
        for (Line line : l) {
            replayOne("GPIO " + line.pin, BridgeProtocol.GPIO_CONFIG, line.config());
        }
        for (Pwm pwm : p) {
            byte[] config = pwm.config();
            if (config != null) {
                replayOne("PWM on GPIO " + pwm.pin, BridgeProtocol.PWM_SET, config);
            }
        }
        try {
            resubscribe(true);
        } catch (Esp32BridgeException e) {
            log.warn("ESP32 bridge on {}: could not subscribe again: {}", config.port(), e.getMessage());
        }
    }

    /** A refusal of one item is logged and does not stop the rest; a link failure fails the handshake. */
    private void replayOne(String what, int kind, byte[] payload) {
        try {
            client.exchange(kind, payload);
        } catch (Esp32BridgeException e) {
            log.warn("ESP32 bridge on {}: could not configure {} again: {}", config.port(), what, e.getMessage());
        }
    }

    // ---- pins ----

    private void require(int pin, Capability capability, String what) {
        BridgeInfo info = info();
        if (!info.can(pin, capability)) {
            throw new IllegalArgumentException("GPIO " + pin + " of the " + info.chip() + " cannot be " + what
                    + " (pins that can: " + info.pinsThatCan(capability) + ")");
        }
    }

    /** Fails when {@code pin} already serves something else (called under the lock). */
    private void claim(int pin, String replacing) {
        String use = replacing;
        if (use == null && lines.containsKey(pin)) {
            use = "a digital line";
        }
        if (adcs.containsKey(pin)) {
            use = "an ADC input";
        }
        if (pwms.containsKey(pin)) {
            use = "a PWM output";
        }
        for (Bus b : buses.values()) {
            if (b.sda == pin || b.scl == pin) {
                use = "I2C bus " + b.name;
            }
        }
        if (use != null) {
            throw new IllegalArgumentException("GPIO " + pin + " is already in use as " + use);
        }
    }

    @Override
    public void close() {
        if (client.isSynced() && !current.channels().isEmpty()) {
            try {
                client.exchange(BridgeProtocol.SUBSCRIBE, new byte[] {0, 0, 0, 0});
            } catch (HalException e) {
                log.debug("could not stop the pushes before closing: {}", e.getMessage());
            }
        }
        client.close();
        readingsListeners.clear();
        synchronized (lock) {
            for (Line l : lines.values()) {
                if (l instanceof Input in) {
                    in.listeners.clear();
                }
            }
        }
    }

    // ---- handles ----

    private abstract class Line {
        final int pin;

        Line(int pin) {
            this.pin = pin;
        }

        abstract byte[] config();

        void configure() {
            client.call(BridgeProtocol.GPIO_CONFIG, config());
        }
    }

    private final class Input extends Line implements DigitalInput {
        final int mode;
        final List<Listener> listeners = new CopyOnWriteArrayList<>();
        private Boolean lastPushed;

        Input(int pin, int mode) {
            super(pin);
            this.mode = mode;
        }

        @Override
        byte[] config() {
            return new byte[] {(byte) pin, (byte) mode, 0};
        }

        @Override
        public boolean read() {
            int v = pushedValue(Channel.gpio(pin));
            if (v >= 0) {
                return v != 0;
            }
            Packet r = client.call(BridgeProtocol.GPIO_READ, new byte[] {(byte) pin});
            if (r.length() != 1 || r.u8(0) > 1) {
                throw new HalException(Reason.GARBAGE, "GPIO_READ reply " + r + " for GPIO " + pin);
            }
            return r.u8(0) == 1;
        }

        synchronized void pushed(boolean high, Instant at) {
            Boolean last = lastPushed;
            lastPushed = high;
            if (last != null && last != high) {
                for (Listener l : listeners) {
                    l.changed(high, at);
                }
            }
        }

        /** Level changes are seen through pushes: the first listener adds this pin to the subscription. */
        @Override
        public void addListener(Listener listener) {
            boolean first = listeners.isEmpty();
            listeners.add(Objects.requireNonNull(listener, "listener"));
            if (first) {
                resubscribeLater();
            }
        }

        @Override
        public void removeListener(Listener listener) {
            if (listeners.remove(listener) && listeners.isEmpty()) {
                resubscribeLater();
            }
        }
    }

    private final class Output extends Line implements DigitalOutput {
        private volatile boolean level;

        Output(int pin, boolean level) {
            super(pin);
            this.level = level;
        }

        @Override
        byte[] config() {
            return new byte[] {(byte) pin, (byte) BridgeProtocol.MODE_OUT, (byte) (level ? 1 : 0)};
        }

        /** Remembers the level first: if the link is down, the level is applied when it comes back. */
        @Override
        public void write(boolean high) {
            level = high;
            client.call(BridgeProtocol.GPIO_WRITE, new byte[] {(byte) pin, (byte) (high ? 1 : 0)});
        }

        @Override
        public boolean state() {
            return level;
        }
    }

    private final class Adc implements AnalogInput {
        final int pin;

        Adc(int pin) {
            this.pin = pin;
        }

        @Override
        public int read() {
            int v = pushedValue(Channel.adc(pin));
            if (v >= 0) {
                return v;
            }
            Packet r = client.call(BridgeProtocol.ADC_READ, new byte[] {(byte) pin});
            if (r.length() != 2 || r.u16(0) > maxCount()) {
                throw new HalException(Reason.GARBAGE, "ADC_READ reply " + r + " for GPIO " + pin
                        + " (counts are 0.." + maxCount() + ")");
            }
            return r.u16(0);
        }

        @Override
        public int maxCount() {
            return info().maxCount();
        }
    }

    private final class Pwm implements PwmOutput {
        final int pin;
        private long frequency = -1;
        private int duty;

        Pwm(int pin) {
            this.pin = pin;
        }

        @Override
        public void set(double frequencyHz, double dutyCycle) {
            if (!(frequencyHz >= 1 && frequencyHz <= 40_000_000)) {
                throw new IllegalArgumentException("PWM frequency must be 1 Hz..40 MHz, was " + frequencyHz);
            }
            if (!(dutyCycle >= 0 && dutyCycle <= 1)) {
                throw new IllegalArgumentException("duty cycle must be 0..1, was " + dutyCycle);
            }
            send(Math.round(frequencyHz), (int) Math.round(dutyCycle * 65535));
        }

        @Override
        public void off() {
            send(0, 0);
        }

        private void send(long hz, int d) {
            byte[] payload;
            synchronized (this) {
                frequency = hz;
                duty = d;
                payload = config();
            }
            client.call(BridgeProtocol.PWM_SET, payload);
        }

        /** PWM_SET of the last setting, or null before the first. */
        synchronized byte[] config() {
            if (frequency < 0) {
                return null;
            }
            return ByteBuffer.allocate(7).order(ByteOrder.LITTLE_ENDIAN)
                    .put((byte) pin).putInt((int) frequency).putShort((short) duty).array();
        }
    }

    private record Bus(String name, int controller, int sda, int scl, int frequencyHz) {
        byte[] config() {
            return ByteBuffer.allocate(7).order(ByteOrder.LITTLE_ENDIAN).put((byte) controller).put((byte) sda)
                    .put((byte) scl).putInt(frequencyHz).array();
        }
    }

    private final class Device implements I2cDevice {
        private final Bus bus;
        private final int address;

        Device(Bus bus, int address) {
            this.bus = bus;
            this.address = address;
        }

        @Override
        public String bus() {
            return bus.name;
        }

        @Override
        public int address() {
            return address;
        }

        @Override
        public void writeRegister(int register, byte[] data, int offset, int length) {
            Objects.checkFromIndexSize(offset, length, data.length);
            for (int done = 0; done < length || length == 0 && done == 0; ) {
                int n = Math.min(BridgeProtocol.MAX_I2C, length - done);
                byte[] payload = new byte[3 + n];
                payload[0] = (byte) bus.controller;
                payload[1] = (byte) address;
                payload[2] = (byte) (register + done);
                System.arraycopy(data, offset + done, payload, 3, n);
                client.call(BridgeProtocol.I2C_WRITE, payload);
                done += Math.max(n, 1);
            }
        }

        @Override
        public void readRegister(int register, byte[] buffer, int offset, int length) {
            Objects.checkFromIndexSize(offset, length, buffer.length);
            for (int done = 0; done < length; ) {
                int n = Math.min(BridgeProtocol.MAX_I2C, length - done);
                Packet r = client.call(BridgeProtocol.I2C_READ, new byte[] {(byte) bus.controller, (byte) address,
                        (byte) (register + done), (byte) n});
                if (r.length() != n) {
                    throw new HalException(Reason.GARBAGE, "I2C_READ of " + n + " bytes from 0x"
                            + Integer.toHexString(address) + " on " + bus.name + " returned " + r.length());
                }
                System.arraycopy(r.payload(), 0, buffer, offset + done, n);
                done += n;
            }
        }

        @Override
        public String toString() {
            return "I2C 0x" + Integer.toHexString(address) + " on " + bus.name;
        }
    }
}

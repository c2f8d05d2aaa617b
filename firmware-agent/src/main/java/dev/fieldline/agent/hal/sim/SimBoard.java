package dev.fieldline.agent.hal.sim;

import dev.fieldline.agent.hal.AnalogInput;
import dev.fieldline.agent.hal.Board;
import dev.fieldline.agent.hal.DigitalInput;
import dev.fieldline.agent.hal.DigitalOutput;
import dev.fieldline.boards.BoardProfile;
import dev.fieldline.boards.DeviceSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The {@code sim} HAL provider: a board without hardware. A TMP36 channel produces raw ADC counts
 * from a {@link TemperatureModel} (TMP36 transfer 10 mV/°C with 500 mV offset, quantised to the
 * profile's ADC and clamped to its range); digital inputs are set by {@link SimDigitalInput#set};
 * digital outputs remember their level.
 */
public final class SimBoard implements Board {
    public static final String PLATFORM = "sim";
    /** The ADC a sim profile without an {@code adc} section gets: 12 bits, 3.3 V. */
    public static final BoardProfile.Adc DEFAULT_ADC = new BoardProfile.Adc(12, 3.3);

    private final Map<Integer, SimAnalogInput> analog = new TreeMap<>();
    private final Map<Integer, SimDigitalInput> inputs = new TreeMap<>();
    private final Map<Integer, SimDigitalOutput> outputs = new TreeMap<>();
    private final Clock clock;

    public SimBoard(BoardProfile profile, SimParameters params, long seed, Clock clock) {
        this.clock = clock;
        Instant start = clock.instant();
        BoardProfile.Adc adc = profile.adc().orElse(DEFAULT_ADC);
        for (DeviceSpec d : profile.sensors()) {
            if (d instanceof DeviceSpec.Tmp36 t && t.source() instanceof DeviceSpec.AnalogSource.BoardAdc a) {
                TemperatureModel model = new TemperatureModel(params, seed + a.pin());
                analog.put(a.pin(), new SimAnalogInput(model, adc, clock, start));
            } else if (d instanceof DeviceSpec.Button b) {
                inputs.put(b.pin(), new SimDigitalInput(b.activeLow(), clock));
            }
        }
        for (DeviceSpec d : profile.actuators()) {
            if (d instanceof DeviceSpec.Led l) {
                outputs.put(l.pin(), new SimDigitalOutput());
            }
        }
    }

    @Override
    public String platform() {
        return PLATFORM;
    }

    @Override
    public SimAnalogInput analogInput(int channel) {
        return lookup(analog, channel, "analog channel");
    }

    @Override
    public SimDigitalInput digitalInput(int pin) {
        return lookup(inputs, pin, "digital input pin");
    }

    @Override
    public SimDigitalOutput digitalOutput(int pin) {
        return lookup(outputs, pin, "digital output pin");
    }

    private static <T> T lookup(Map<Integer, T> map, int channel, String what) {
        T t = map.get(channel);
        if (t == null) {
            throw new IllegalArgumentException(what + " " + channel + " is not wired on this board (wired: " + map.keySet() + ")");
        }
        return t;
    }

    @Override
    public void close() {
        inputs.values().forEach(SimDigitalInput::clearListeners);
    }

    /** The simulated time base. */
    public Clock clock() {
        return clock;
    }

    /** Converts a temperature to what a TMP36 on this ADC reads: round(V/Vref·max), clamped to 0..max. */
    public static int countsFor(double celsius, BoardProfile.Adc adc) {
        double volts = 0.5 + celsius / 100.0;
        long counts = Math.round(volts / adc.referenceVolts() * adc.maxCount());
        return (int) Math.max(0, Math.min(adc.maxCount(), counts));
    }

    /** A TMP36 on an ADC channel, driven by a temperature model. */
    public static final class SimAnalogInput implements AnalogInput {
        private final TemperatureModel model;
        private final BoardProfile.Adc adc;
        private final Clock clock;
        private final Instant start;

        SimAnalogInput(TemperatureModel model, BoardProfile.Adc adc, Clock clock, Instant start) {
            this.model = model;
            this.adc = adc;
            this.clock = clock;
            this.start = start;
        }

        @Override
        public synchronized int read() {
            return countsFor(model.sample(Duration.between(start, clock.instant())), adc);
        }

        @Override
        public int maxCount() {
            return adc.maxCount();
        }

        /** Injects a spike, a drift or a stuck sensor into the simulated temperature, from the next read on. */
        public synchronized void inject(Anomaly anomaly) {
            model.inject(anomaly);
        }

        /** Spikes the model has produced so far. */
        public synchronized long spikes() {
            return model.spikes();
        }
    }

    /** A simulated input line; tests and demos drive it with {@link #set} or {@link #press}. */
    public static final class SimDigitalInput implements DigitalInput {
        private final List<Listener> listeners = new CopyOnWriteArrayList<>();
        private final boolean activeLow;
        private final Clock clock;
        private volatile boolean high;

        SimDigitalInput(boolean activeLow, Clock clock) {
            this.activeLow = activeLow;
            this.clock = clock;
            this.high = activeLow;
        }

        @Override
        public boolean read() {
            return high;
        }

        /** Sets the line level, notifying listeners if it changed. */
        public void set(boolean level) {
            boolean changed;
            synchronized (this) {
                changed = high != level;
                high = level;
            }
            if (changed) {
                Instant at = clock.instant();
                for (Listener l : listeners) {
                    l.changed(level, at);
                }
            }
        }

        /** Drives the line to its active level (pressed) or back (released), honouring active-low wiring. */
        public void press(boolean pressed) {
            set(pressed != activeLow);
        }

        @Override
        public void addListener(Listener listener) {
            listeners.add(listener);
        }

        @Override
        public void removeListener(Listener listener) {
            listeners.remove(listener);
        }

        void clearListeners() {
            listeners.clear();
        }
    }

    /** A simulated output line. */
    public static final class SimDigitalOutput implements DigitalOutput {
        private volatile boolean high;

        @Override
        public void write(boolean level) {
            high = level;
        }

        @Override
        public boolean state() {
            return high;
        }
    }
}

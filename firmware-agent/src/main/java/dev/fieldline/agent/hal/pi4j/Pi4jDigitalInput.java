package dev.fieldline.agent.hal.pi4j;

import com.pi4j.io.gpio.digital.DigitalStateChangeListener;
import dev.fieldline.agent.hal.DigitalInput;
import dev.fieldline.agent.hal.HalException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A GPIO input through a Pi4J digital input provider; listeners run on Pi4J's event thread. */
final class Pi4jDigitalInput implements DigitalInput {
    private final com.pi4j.io.gpio.digital.DigitalInput line;
    private final int pin;
    private final Clock clock;
    private final Map<Listener, DigitalStateChangeListener> listeners = new ConcurrentHashMap<>();

    Pi4jDigitalInput(com.pi4j.io.gpio.digital.DigitalInput line, int pin, Clock clock) {
        this.line = line;
        this.pin = pin;
        this.clock = clock;
    }

    @Override
    public boolean read() {
        try {
            return line.state().isHigh();
        } catch (RuntimeException e) {
            throw new HalException(HalException.Reason.IO, "read of GPIO " + pin + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void addListener(Listener listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener must not be null");
        }
        DigitalStateChangeListener adapter = event -> listener.changed(event.state().isHigh(), clock.instant());
        if (listeners.putIfAbsent(listener, adapter) == null) {
            line.addListener(adapter);
        }
    }

    @Override
    public void removeListener(Listener listener) {
        DigitalStateChangeListener adapter = listeners.remove(listener);
        if (adapter != null) {
            line.removeListener(adapter);
        }
    }

    void clearListeners() {
        for (Listener l : listeners.keySet()) {
            removeListener(l);
        }
    }
}

package dev.fieldline.agent.driver;

import dev.fieldline.agent.hal.DigitalInput;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * A debounced push button. Edges closer than the debounce time to the last accepted change are
 * ignored; {@link #poll} settles the state from the line level once it has been quiet for the
 * debounce time, so a bounce that ends in the other state is not lost. Presses between polls are
 * latched so that a short press still shows in the next sample. Thread-safe.
 */
public final class Button implements AutoCloseable {
    private final DigitalInput input;
    private final boolean activeLow;
    private final Duration debounce;
    private final Supplier<Instant> now;
    private final DigitalInput.Listener listener = this::edge;

    private boolean pressed;
    private boolean latched;
    private long presses;
    private Instant lastAccepted = Instant.MIN;
    private Instant lastEdge = Instant.MIN;

    public Button(DigitalInput input, boolean activeLow, Duration debounce, Supplier<Instant> now) {
        if (input == null || debounce == null || debounce.isNegative() || now == null) {
            throw new IllegalArgumentException("input, now and a non-negative debounce are required");
        }
        this.input = input;
        this.activeLow = activeLow;
        this.debounce = debounce;
        this.now = now;
        this.pressed = input.read() != activeLow;
        input.addListener(listener);
    }

    private synchronized void edge(boolean high, Instant at) {
        lastEdge = at;
        boolean p = high != activeLow;
        if (p != pressed && !at.isBefore(lastAccepted.plus(debounce))) {
            accept(p, at);
        }
    }

    private void accept(boolean p, Instant at) {
        pressed = p;
        lastAccepted = at;
        if (p) {
            presses++;
            latched = true;
        }
    }

    /**
     * Settles the debounced state and returns true if the button is pressed now or was pressed
     * since the previous poll; clears the latch.
     */
    public synchronized boolean poll() {
        Instant t = now.get();
        boolean p = input.read() != activeLow;
        if (p != pressed && !t.isBefore(lastEdge.plus(debounce))) {
            accept(p, t);
        }
        boolean result = pressed || latched;
        latched = false;
        return result;
    }

    /** The debounced state. */
    public synchronized boolean isPressed() {
        return pressed;
    }

    /** Accepted presses since start. */
    public synchronized long presses() {
        return presses;
    }

    @Override
    public void close() {
        input.removeListener(listener);
    }
}

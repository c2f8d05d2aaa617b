package dev.fieldline.agent.hal;

/** The pull resistor of a digital input. */
public enum Pull {
    /** No pull: the line floats unless the circuit drives it. */
    NONE,
    /** Pulled up to the supply: an active-low button reads high when released. */
    UP,
    /** Pulled down to ground. */
    DOWN
}

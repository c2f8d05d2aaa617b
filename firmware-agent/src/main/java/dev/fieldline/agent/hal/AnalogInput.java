package dev.fieldline.agent.hal;

/** An ADC channel. */
public interface AnalogInput {

    /** Takes one conversion and returns the raw count, 0..{@link #maxCount()}. */
    int read();

    /** The largest count the converter returns, e.g. 4095 for 12 bits. */
    int maxCount();
}

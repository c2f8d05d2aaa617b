package dev.fieldline.agent.hal;

/** A digital output line. */
public interface DigitalOutput {

    /** Drives the line high (true) or low (false). */
    void write(boolean high);

    /** The level last written; false before any write. */
    boolean state();
}

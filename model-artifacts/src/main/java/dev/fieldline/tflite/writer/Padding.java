package dev.fieldline.tflite.writer;

/** Padding of convolutions and pools (schema {@code Padding}); the ordinal is the schema code. */
public enum Padding {
    SAME,
    VALID
}

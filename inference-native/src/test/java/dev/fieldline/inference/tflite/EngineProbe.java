package dev.fieldline.inference.tflite;

import dev.fieldline.inference.EngineUnavailableException;
import dev.fieldline.inference.Engines;
import dev.fieldline.inference.InferenceEngine;

/** Run in a child JVM by {@link NativeEnginesTest}: what a start-up on another platform would see. */
public final class EngineProbe {

    private EngineProbe() {}

    public static void main(String[] args) {
        for (InferenceEngine e : Engines.all()) {
            System.out.println("engine " + e.name() + " available=" + e.isAvailable() + " reason=" + e.unavailableReason());
        }
        try {
            Engines.require(args[0]);
            System.out.println("required " + args[0]);
        } catch (EngineUnavailableException e) {
            System.out.println("refused: " + e.getMessage());
        }
    }
}

package dev.fieldline.tools.model;

import dev.fieldline.agent.driver.Tmp36;
import dev.fieldline.agent.hal.sim.Anomaly;
import dev.fieldline.agent.hal.sim.SimBoard;
import dev.fieldline.agent.hal.sim.SimParameters;
import dev.fieldline.agent.hal.sim.TemperatureModel;
import dev.fieldline.boards.BoardProfile;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;

/**
 * Labelled windows of simulated TMP36 readings, made with the agent's own simulator
 * ({@link TemperatureModel}, read through the sim board's ADC transfer and the {@link Tmp36} driver,
 * exactly what an agent on the {@code sim} board reports). Each window is {@link #WINDOW} readings
 * one {@link #INTERVAL} apart, from a sensor with random base temperature, noise, daily cycle and
 * slow drift, and:
 * <ul>
 *   <li>{@code normal}: nothing injected;</li>
 *   <li>{@code spike}: one reading off by 2–15 °C (either sign), anywhere in the window;</li>
 *   <li>{@code drift}: a ramp of 0.05–0.5 °C/s (either sign) for at least 8 readings and 1 °C;</li>
 *   <li>{@code stuck}: the sensor repeating its value for the last 12–32 readings.</li>
 * </ul>
 */
public final class SensorWindows {
    public static final List<String> LABELS = List.of("normal", "spike", "drift", "stuck");
    public static final int WINDOW = 32;
    public static final Duration INTERVAL = Duration.ofSeconds(1);
    /** The sim board's ADC (12 bits, 3.3 V). */
    public static final BoardProfile.Adc ADC = new BoardProfile.Adc(12, 3.3);

    /**
     * Windows and their labels.
     *
     * @param readings {@code count} windows of {@link #WINDOW} readings (Cel), one after the other
     * @param labels the class of each window, an index into {@link #LABELS}
     */
    public record Sample(double[] readings, int[] labels) {
        public int count() {
            return labels.length;
        }
    }

    private SensorWindows() {
    }

    /** {@code perClass} windows of each class, classes interleaved, from {@code seed}. */
    public static Sample generate(int perClass, long seed) {
        Random rng = new Random(seed);
        int count = perClass * LABELS.size();
        double[] readings = new double[count * WINDOW];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            int label = i % LABELS.size();
            labels[i] = label;
            window(rng, label, readings, i * WINDOW);
        }
        return new Sample(readings, labels);
    }

    private static void window(Random rng, int label, double[] out, int at) {
        SimParameters params = new SimParameters(OptionalLong.empty(),
                10 + 20 * rng.nextDouble(), // base 10..30 Cel
                0.1 + 0.25 * rng.nextDouble(), // noise 0.1..0.35 Cel
                rng.nextDouble() - 0.5, // slow drift ±0.5 Cel/h
                5 * rng.nextDouble(), // daily amplitude 0..5 Cel
                Duration.ofHours(24), 0, 0);
        TemperatureModel model = new TemperatureModel(params, rng.nextLong());
        long start = rng.nextInt(86_400);
        int at0 = -1;
        Anomaly anomaly = null;
        switch (LABELS.get(label)) {
            case "spike" -> {
                at0 = rng.nextInt(WINDOW);
                double m = 2 + 13 * rng.nextDouble();
                anomaly = new Anomaly.Spike(rng.nextBoolean() ? m : -m);
            }
            case "drift" -> {
                double rate = 0.05 + 0.45 * rng.nextDouble();
                int minLength = Math.max(8, (int) Math.ceil(1.0 / rate));
                at0 = rng.nextInt(WINDOW - minLength + 1);
                anomaly = new Anomaly.Drift(rng.nextBoolean() ? rate : -rate, Duration.ofHours(1));
            }
            case "stuck" -> {
                at0 = rng.nextInt(WINDOW - 12 + 1);
                anomaly = new Anomaly.Stuck(Duration.ofHours(1));
            }
            default -> {
            }
        }
        for (int k = 0; k < WINDOW; k++) {
            if (k == at0) {
                model.inject(anomaly);
            }
            double celsius = model.sample(INTERVAL.multipliedBy(start + k));
            out[at + k] = Tmp36.celsius(SimBoard.countsFor(celsius, ADC), ADC);
        }
    }
}

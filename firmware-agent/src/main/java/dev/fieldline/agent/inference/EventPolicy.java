package dev.fieldline.agent.inference;

import java.util.Optional;

/**
 * When a model's results are worth an event: when the label changes while the model is confident
 * (confidence at or above the threshold), and when the confidence crosses the threshold (regained,
 * or lost; losing it needs a drop below {@code threshold - hysteresis}, so a confidence hovering at
 * the threshold does not flap). The first confident result is a change from nothing. Not thread-safe.
 */
public final class EventPolicy {
    /** Default hysteresis below the threshold before confidence counts as lost. */
    public static final double DEFAULT_HYSTERESIS = 0.05;

    private final double threshold;
    private final double hysteresis;
    private String reported;
    private boolean confident;

    /** What happened. */
    public enum Kind {
        /** A new label, confidently (also the first confident result). */
        LABEL,
        /** The reported label, confident again after an uncertain spell. */
        CONFIDENT,
        /** The confidence fell below the threshold. */
        UNCERTAIN
    }

    /**
     * An event to publish.
     *
     * @param kind what happened
     * @param label the label now (the best guess when uncertain)
     * @param previous the label reported before, if any
     */
    public record Change(Kind kind, String label, Optional<String> previous) {}

    public EventPolicy(double threshold, double hysteresis) {
        if (!(threshold >= 0 && threshold <= 1) || !(hysteresis >= 0 && hysteresis <= 1)) {
            throw new IllegalArgumentException("threshold and hysteresis must be in 0..1, were " + threshold + ", " + hysteresis);
        }
        this.threshold = threshold;
        this.hysteresis = hysteresis;
    }

    /** Takes one result; returns the event it calls for, if any. */
    public Optional<Change> update(String label, double confidence) {
        boolean now = confidence >= threshold || (confident && confidence >= threshold - hysteresis);
        Optional<Change> change = Optional.empty();
        if (now && !label.equals(reported)) {
            change = Optional.of(new Change(Kind.LABEL, label, Optional.ofNullable(reported)));
            reported = label;
        } else if (now && !confident) {
            change = Optional.of(new Change(Kind.CONFIDENT, label, Optional.ofNullable(reported)));
        } else if (!now && confident) {
            change = Optional.of(new Change(Kind.UNCERTAIN, label, Optional.ofNullable(reported)));
        }
        confident = now;
        return change;
    }

    /** The label last reported confidently, if any. */
    public Optional<String> reported() {
        return Optional.ofNullable(reported);
    }
}

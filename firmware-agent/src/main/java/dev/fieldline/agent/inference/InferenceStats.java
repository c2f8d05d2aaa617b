package dev.fieldline.agent.inference;

import java.time.Duration;
import java.util.Optional;

/**
 * What one model's inference has cost and produced since start.
 *
 * @param model the model's name on the board
 * @param engine the engine running it
 * @param invocations completed inferences (preprocess, invoke, postprocess)
 * @param lastLatency duration of the latest one
 * @param meanLatency mean duration
 * @param skipped inputs dropped because the previous inference was still running
 * @param errors inferences that failed (unreadable frame, engine error)
 * @param events inference events published
 * @param label the label reported last, if any
 */
public record InferenceStats(String model, String engine, long invocations, Duration lastLatency, Duration meanLatency,
        long skipped, long errors, long events, Optional<String> label) {}

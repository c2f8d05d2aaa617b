package dev.fieldline.agent.inference;

import dev.fieldline.boards.BoardProfile;
import dev.fieldline.boards.ModelSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's inference stage: runs the board profile's models off the sampling thread, on a thread
 * of its own. Sensor-window models get each new reading from the sampler ({@link #offer}, which only
 * copies it into the window and never waits: when the model is still busy with the previous window
 * the new one is skipped and counted); frame models read their next image at their interval. Each
 * result goes through the model's {@link EventPolicy}; results worth an event go to the
 * {@link Listener}.
 */
public final class InferenceStage implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InferenceStage.class);

    /** Receives results that call for an event, on the inference thread. */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param model the model's runner
         * @param result the classification
         * @param change why it is an event
         * @param input what was classified ({@code temperature[32]}, a frame file name)
         * @param latency how long the inference took
         */
        void changed(ModelRunner model, Postprocessing.Classification result, EventPolicy.Change change, String input,
                Duration latency);
    }

    private final List<Slot> slots = new ArrayList<>();
    private final ScheduledExecutorService executor;
    private final Listener listener;
    private final AtomicLong lastLatencyNanos = new AtomicLong();

    /** One model, its policy, its input state and its counters. */
    private final class Slot {
        /** Replaced by {@link #swap} (a delivered version); read once per inference. */
        volatile ModelRunner runner;
        final EventPolicy policy;
        final AtomicBoolean busy = new AtomicBoolean();
        final AtomicLong invocations = new AtomicLong();
        final AtomicLong totalNanos = new AtomicLong();
        final AtomicLong lastNanos = new AtomicLong();
        final AtomicLong skipped = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final AtomicLong events = new AtomicLong();
        // sensor window: touched by the sampling thread only
        final double[] ring;
        int filled;
        int head;
        long sinceRun;
        // frames: touched by the inference thread only
        final FrameSource frames;

        Slot(ModelRunner runner) {
            this.runner = runner;
            this.policy = new EventPolicy(runner.spec().threshold(), EventPolicy.DEFAULT_HYSTERESIS);
            this.ring = new double[Math.max(runner.window(), 1)];
            this.frames = runner.spec().input() instanceof ModelSpec.Input.Frames f ? new FrameSource(f.path()) : null;
        }

        void record(ModelRunner ran, Postprocessing.Classification c, String input, long startNanos) {
            long nanos = System.nanoTime() - startNanos;
            invocations.incrementAndGet();
            totalNanos.addAndGet(nanos);
            lastNanos.set(nanos);
            lastLatencyNanos.set(nanos);
            Optional<EventPolicy.Change> change = policy.update(c.label(), c.confidence());
            if (change.isPresent()) {
                events.incrementAndGet();
                listener.changed(ran, c, change.get(), input, Duration.ofNanos(nanos));
            }
        }
    }

    private InferenceStage(List<ModelRunner> runners, ScheduledExecutorService executor, Listener listener) {
        this.executor = executor;
        this.listener = listener;
        for (ModelRunner r : runners) {
            slots.add(new Slot(r));
        }
    }

    /**
     * Loads every model of the profile and starts its frame sources; the executor is the stage's
     * own thread (closed with the stage).
     *
     * @throws dev.fieldline.agent.AgentException when a model cannot be loaded (the ones already
     *     loaded are closed)
     */
    public static InferenceStage start(BoardProfile profile, ScheduledExecutorService executor, Listener listener) {
        List<ModelRunner> runners = new ArrayList<>();
        try {
            for (ModelSpec m : profile.models()) {
                runners.add(ModelRunner.open(profile.name(), m));
            }
        } catch (RuntimeException e) {
            runners.forEach(ModelRunner::close);
            executor.shutdownNow();
            throw e;
        }
        InferenceStage stage = new InferenceStage(runners, executor, listener);
        for (Slot s : stage.slots) {
            if (s.runner.spec().input() instanceof ModelSpec.Input.Frames f) {
                long every = f.interval().toNanos();
                executor.scheduleAtFixedRate(() -> stage.runFrame(s), 0, every, TimeUnit.NANOSECONDS);
            }
            log.info("inference: model {} on {} ({}), labels {}", s.runner.name(), s.runner.engine(),
                    describe(s.runner), s.runner.labels());
        }
        return stage;
    }

    private static String describe(ModelRunner r) {
        if (r.spec().input() instanceof ModelSpec.Input.SensorWindow w) {
            return "window of " + r.window() + " " + w.sensor() + " readings, every " + w.every();
        }
        ModelSpec.Input.Frames f = (ModelSpec.Input.Frames) r.spec().input();
        return "frames from " + f.path() + " every " + f.interval();
    }

    /** True when the profile has no models (the stage then does nothing). */
    public boolean isEmpty() {
        return slots.isEmpty();
    }

    /**
     * A new reading of a sensor, from the sampling thread. Copies it into the windows of the models
     * that read this sensor and hands full windows to the inference thread; never blocks.
     */
    public void offer(String sensor, double value) {
        for (Slot s : slots) {
            if (!(s.runner.spec().input() instanceof ModelSpec.Input.SensorWindow w) || !w.sensor().equals(sensor)) {
                continue;
            }
            s.ring[s.head] = value;
            s.head = (s.head + 1) % s.ring.length;
            if (s.filled < s.ring.length) {
                s.filled++;
            }
            s.sinceRun++;
            if (s.filled < s.ring.length || s.sinceRun < w.every()) {
                continue;
            }
            s.sinceRun = 0;
            if (!s.busy.compareAndSet(false, true)) {
                s.skipped.incrementAndGet();
                continue;
            }
            double[] window = new double[s.ring.length];
            for (int i = 0; i < window.length; i++) {
                window[i] = s.ring[(s.head + i) % s.ring.length];
            }
            try {
                executor.execute(() -> runWindow(s, window, w.sensor()));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                s.busy.set(false); // closing
            }
        }
    }

    private void runWindow(Slot s, double[] window, String sensor) {
        long start = System.nanoTime();
        ModelRunner runner = s.runner;
        try {
            s.record(runner, runner.runWindow(window), sensor + "[" + window.length + "]", start);
        } catch (RuntimeException e) {
            s.errors.incrementAndGet();
            log.warn("inference: model {} failed: {}", s.runner.name(), e.toString());
        } finally {
            s.busy.set(false);
        }
    }

    private void runFrame(Slot s) {
        long start = System.nanoTime();
        Path file = null;
        try {
            file = s.frames.nextFile();
            ModelRunner runner = s.runner;
            s.record(runner, runner.runFrame(FrameSource.read(file)), file.getFileName().toString(), start);
        } catch (java.io.IOException | RuntimeException e) {
            s.errors.incrementAndGet();
            log.warn("inference: model {} could not classify {}: {}", s.runner.name(), file == null ? s.frames : file,
                    e.toString());
        }
    }

    /** The runner of the profile's model {@code name}, if the profile has one. */
    public Optional<ModelRunner> model(String name) {
        return slots.stream().filter(s -> s.runner.name().equals(name)).map(s -> s.runner).findFirst();
    }

    /**
     * Puts {@code next} in the place of the model of the same name, atomically: the next input the
     * model gets runs on {@code next}; an inference already running finishes on the previous runner,
     * which is closed on the inference thread after it (so no input is dropped and no session is
     * closed under a running inference). Counters and the event policy carry on.
     *
     * @return false when the profile has no model of that name (nothing changed)
     */
    public boolean swap(ModelRunner next) {
        for (Slot s : slots) {
            if (s.runner.name().equals(next.name())) {
                ModelRunner previous = s.runner;
                s.runner = next;
                try {
                    executor.execute(previous::close);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    previous.close(); // the stage is closing: nothing runs any more
                }
                log.info("inference: model {} swapped to {} ({})", next.name(), next.spec().source(), next.sha256());
                return true;
            }
        }
        return false;
    }

    /** Each model's counters. */
    public List<InferenceStats> stats() {
        List<InferenceStats> out = new ArrayList<>();
        for (Slot s : slots) {
            long n = s.invocations.get();
            out.add(new InferenceStats(s.runner.name(), s.runner.engine(), n, Duration.ofNanos(s.lastNanos.get()),
                    Duration.ofNanos(n == 0 ? 0 : s.totalNanos.get() / n), s.skipped.get(), s.errors.get(), s.events.get(),
                    s.policy.reported()));
        }
        return out;
    }

    /** Duration of the latest inference of any model. */
    public Duration lastLatency() {
        return Duration.ofNanos(lastLatencyNanos.get());
    }

    public List<ModelRunner> models() {
        return slots.stream().map(s -> s.runner).toList();
    }

    /** Stops the inference thread (waiting up to {@code grace} for a running inference) and closes the models. */
    public void close(Duration grace) {
        executor.shutdownNow();
        try {
            executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Slot s : slots) {
            s.runner.close();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(2));
    }
}

package dev.fieldline.agent.models;

import dev.fieldline.agent.AgentException;
import dev.fieldline.agent.inference.InferenceStage;
import dev.fieldline.agent.inference.ModelRunner;
import dev.fieldline.inference.EngineOptions;
import dev.fieldline.inference.Engines;
import dev.fieldline.inference.InferenceSession;
import dev.fieldline.inference.SelfTest;
import dev.fieldline.protocol.model.ModelDeliveryException;
import dev.fieldline.protocol.model.ModelDeliveryException.Reason;
import dev.fieldline.protocol.model.ModelOffer;
import dev.fieldline.protocol.model.ModelRelease;
import dev.fieldline.protocol.model.SignedRelease;
import dev.fieldline.tflite.TfliteModel;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes delivered model versions into use ({@code docs/agent.md#model-delivery}). For an offer it:
 * <ol>
 * <li>fetches the signed release manifest and checks its COSE_Sign1 signature against the gateway key
 * the device enrolled with ({@code GatewayTrust}), and that it describes what was offered;</li>
 * <li>fetches the file and checks its size and SHA-256 against the signed manifest;</li>
 * <li>writes both to the {@link ModelStore} (temporary file, sync, rename), not yet active;</li>
 * <li>loads it on the slot's engine, in place of the board profile's model of the same name (same
 *     input, labels, normalisation, window), and runs the manifest's self-test vectors on it;</li>
 * <li>only then makes it the active version on disk and swaps it into the running inference stage
 *     (one reference: the next input runs on it, none is dropped).</li>
 * </ol>
 * Any failure leaves the previous version active, on disk and running, and is reported with its
 * reason. A self-test failure reports {@code rolled_back}; a version that cannot be trusted or loaded
 * {@code refused}. After a restart {@link #restore} loads the active versions again (checked as on
 * delivery); one that no longer passes is replaced by the previous version.
 *
 * <p>One delivery at a time, on the thread {@code fl-agent-models-{id}}. A model without a slot in
 * the board profile is verified, self-tested and kept active on disk, but nothing runs it.
 */
public final class ModelDelivery implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ModelDelivery.class);

    /** What happened to an offered (or restored) version. */
    public enum Outcome {
        /** Verified, self-tested, active and running. */
        INSTALLED,
        /** Not taken: not trusted, not fetched, not loadable; the previous version runs on. */
        REFUSED,
        /** Failed its self-test (or, at start, its checks): the previous version is active and running. */
        ROLLED_BACK,
        /** At start: the active delivered version passed its checks again and runs. */
        ACTIVE;

        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One delivery's report.
     *
     * @param running the version in use afterwards (0: the board profile's own model)
     * @param timings milliseconds per step ({@code download_ms}, {@code verify_ms}, {@code stage_ms},
     *     {@code load_ms}, {@code self_test_ms}, {@code total_ms}) and {@code swap_us}
     */
    public record Report(String name, long version, Outcome outcome, Optional<Reason> reason, String message, long running,
            Map<String, Long> timings) {
        public Report {
            timings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(timings));
        }

        public boolean ok() {
            return outcome == Outcome.INSTALLED || outcome == Outcome.ACTIVE;
        }
    }

    private final String deviceId;
    private final ModelStore store;
    private final Optional<PublicKey> gatewayKey;
    private final ModelFetcher fetcher;
    private final InferenceStage stage;
    private final ExecutorService thread;
    /** Versions running per model name (delivered ones only). */
    private final Map<String, Long> running = new ConcurrentHashMap<>();

    /**
     * @param gatewayKey the gateway's public key from enrollment; without it every offer is refused ({@code no_gateway_key})
     */
    public ModelDelivery(String deviceId, ModelStore store, Optional<PublicKey> gatewayKey, ModelFetcher fetcher, InferenceStage stage) {
        this.deviceId = deviceId;
        this.store = Objects.requireNonNull(store, "store");
        this.gatewayKey = Objects.requireNonNull(gatewayKey, "gatewayKey");
        this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
        this.stage = Objects.requireNonNull(stage, "stage");
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fl-agent-models-" + deviceId);
            t.setDaemon(true);
            return t;
        });
    }

    /** The delivered version running per model name. */
    public Map<String, Long> running() {
        return Map.copyOf(running);
    }

    /** Installs an offered version on the delivery thread. */
    public CompletableFuture<Report> offer(ModelOffer offer) {
        return CompletableFuture.supplyAsync(() -> install(offer), thread);
    }

    /** Installs an offered version on the caller's thread (see the class comment for the steps). */
    public Report install(ModelOffer offer) {
        long t0 = System.nanoTime();
        Map<String, Long> timings = new LinkedHashMap<>();
        String name = offer.name();
        long before = running.getOrDefault(name, 0L);
        boolean staged = false;
        try {
            PublicKey key = gatewayKey.orElseThrow(() -> new ModelDeliveryException(Reason.NO_GATEWAY_KEY,
                    "this device has no gateway key to verify models with (enroll it with a gateway that issues certificates)"));
            OptionalLong active = activeVersion(name);
            if (active.equals(OptionalLong.of(offer.version()))) {
                return new Report(name, offer.version(), Outcome.INSTALLED, Optional.empty(), name + " v" + offer.version()
                        + " is already active", offer.version(), timings);
            }
            Optional<ModelStore.Stored> local = store.stored(name, offer.version());
            long t = System.nanoTime();
            byte[] signed = local.isPresent() ? read(local.get(), true) : fetch(offer, true, SignedRelease.MAX_BYTES);
            timings.put("download_ms", ms(t));
            t = System.nanoTime();
            ModelRelease release = SignedRelease.verify(signed, key);
            SignedRelease.checkOffer(release, offer);
            long verifyNanos = System.nanoTime() - t;
            t = System.nanoTime();
            byte[] file = local.isPresent() ? read(local.get(), false) : fetch(offer, false, (int) offer.bytes());
            timings.put("download_ms", timings.get("download_ms") + ms(t));
            t = System.nanoTime();
            SignedRelease.checkFile(release, file);
            timings.put("verify_ms", (verifyNanos + System.nanoTime() - t) / 1_000_000);
            t = System.nanoTime();
            ModelStore.Stored stored;
            try {
                stored = store.stage(name, offer.version(), file, signed);
                staged = true;
            } catch (IOException e) {
                throw new ModelDeliveryException(Reason.STORAGE, "cannot store " + name + " v" + offer.version() + ": " + e.getMessage(), e);
            }
            timings.put("stage_ms", ms(t));
            t = System.nanoTime();
            Candidate candidate = load(release, file, stored.file());
            timings.put("load_ms", ms(t));
            t = System.nanoTime();
            Optional<String> failure = candidate.selfTest(release.selfTest());
            timings.put("self_test_ms", ms(t));
            if (failure.isPresent()) {
                candidate.close();
                discard(name, offer.version());
                staged = false;
                timings.put("total_ms", ms(t0));
                String msg = name + " v" + offer.version() + " failed its self-test (" + failure.get() + "); kept "
                        + describe(name, before);
                log.warn("agent {}: model {}", deviceId, msg);
                return new Report(name, offer.version(), Outcome.ROLLED_BACK, Optional.of(Reason.SELF_TEST_FAILED), msg, before, timings);
            }
            try {
                store.activate(name, offer.version());
            } catch (IOException e) {
                candidate.close();
                throw new ModelDeliveryException(Reason.STORAGE, "cannot activate " + name + " v" + offer.version() + ": " + e.getMessage(), e);
            }
            t = System.nanoTime();
            boolean swapped = candidate.swapIn();
            timings.put("swap_us", (System.nanoTime() - t) / 1000);
            running.put(name, offer.version());
            timings.put("total_ms", ms(t0));
            String msg = name + " v" + offer.version() + " installed (" + release.variant() + ", " + release.bytes() + " bytes, self-test "
                    + release.selfTest().vectors().size() + "/" + release.selfTest().vectors().size() + " passed)"
                    + (swapped ? ", running" : ", stored: the board profile has no model '" + name + "' to run it") + ", was "
                    + describe(name, before);
            log.info("agent {}: model {} in {} ms", deviceId, msg, timings.get("total_ms"));
            return new Report(name, offer.version(), Outcome.INSTALLED, Optional.empty(), msg, offer.version(), timings);
        } catch (ModelDeliveryException e) {
            if (staged) {
                discard(name, offer.version());
            }
            timings.put("total_ms", ms(t0));
            String msg = name + " v" + offer.version() + " refused (" + e.reason().code() + "): " + e.getMessage() + "; kept "
                    + describe(name, before);
            log.warn("agent {}: model {}", deviceId, msg);
            return new Report(name, offer.version(), Outcome.REFUSED, Optional.of(e.reason()), msg, before, timings);
        }
    }

    private OptionalLong activeVersion(String name) {
        try {
            return store.activeVersion(name);
        } catch (IOException e) {
            throw new ModelDeliveryException(Reason.STORAGE, "cannot read the active version of " + name + ": " + e.getMessage(), e);
        }
    }

    private static String describe(String name, long version) {
        return version == 0 ? "the board profile's model" : name + " v" + version;
    }

    private byte[] fetch(ModelOffer offer, boolean manifest, int maxBytes) {
        try {
            return fetcher.fetch(offer, manifest, maxBytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelDeliveryException(Reason.DOWNLOAD_FAILED, "interrupted", e);
        } catch (Exception e) {
            throw new ModelDeliveryException(Reason.DOWNLOAD_FAILED, "cannot fetch the " + (manifest ? "signed manifest" : "file")
                    + " over " + fetcher.describe() + ": " + e.getMessage(), e);
        }
    }

    private static byte[] read(ModelStore.Stored s, boolean manifest) {
        try {
            return manifest ? s.signedManifestBytes() : s.fileBytes();
        } catch (IOException e) {
            throw new ModelDeliveryException(Reason.STORAGE, "cannot read the stored " + s.name() + " v" + s.version() + ": " + e.getMessage(), e);
        }
    }

    private void discard(String name, long version) {
        try {
            store.discard(name, version);
        } catch (IOException e) {
            log.warn("agent {}: cannot delete the refused {} v{}: {}", deviceId, name, version, e.toString());
        }
    }

    private static long ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** A loaded version before it is taken into use. */
    private interface Candidate extends AutoCloseable {
        Optional<String> selfTest(ModelRelease.SelfTest test);

        /** Takes it into use; false when nothing runs it (no slot). */
        boolean swapIn();

        @Override
        void close();
    }

    private Candidate load(ModelRelease release, byte[] file, Path path) {
        Optional<ModelRunner> slot = stage.model(release.name());
        if (slot.isPresent()) {
            ModelRunner next;
            try {
                next = slot.get().replacement(file, path);
            } catch (AgentException e) {
                throw new ModelDeliveryException(Reason.INCOMPATIBLE, e.getMessage(), e);
            }
            return new Candidate() {
                @Override
                public Optional<String> selfTest(ModelRelease.SelfTest test) {
                    return next.selfTest(inputs(test), outputs(test), test.tolerance());
                }

                @Override
                public boolean swapIn() {
                    return stage.swap(next);
                }

                @Override
                public void close() {
                    next.close();
                }
            };
        }
        InferenceSession session;
        try {
            session = Engines.require("micro").open(TfliteModel.parse(file), EngineOptions.DEFAULT);
        } catch (RuntimeException e) {
            throw new ModelDeliveryException(Reason.INCOMPATIBLE, "the micro interpreter cannot run " + release.name() + " v"
                    + release.version() + ": " + e.getMessage(), e);
        }
        return new Candidate() {
            @Override
            public Optional<String> selfTest(ModelRelease.SelfTest test) {
                List<ModelRelease.Vector> v = test.vectors();
                for (int i = 0; i < v.size(); i++) {
                    Optional<String> d;
                    try {
                        d = SelfTest.check(session, v.get(i).input(), v.get(i).output(), test.tolerance());
                    } catch (RuntimeException e) {
                        d = Optional.of("the model failed: " + e);
                    }
                    if (d.isPresent()) {
                        return Optional.of("vector " + (i + 1) + " of " + v.size() + ": " + d.get());
                    }
                }
                return Optional.empty();
            }

            @Override
            public boolean swapIn() {
                session.close();
                return false;
            }

            @Override
            public void close() {
                session.close();
            }
        };
    }

    private static List<byte[]> inputs(ModelRelease.SelfTest t) {
        return t.vectors().stream().map(ModelRelease.Vector::input).toList();
    }

    private static List<byte[]> outputs(ModelRelease.SelfTest t) {
        return t.vectors().stream().map(ModelRelease.Vector::output).toList();
    }

    /**
     * At start-up: takes every active delivered version into use again, checked as on delivery
     * (signature, hash and size, load, self-test). One that fails is replaced by its previous version
     * when that passes ({@code rolled_back}), else the board profile's model stays ({@code refused}).
     */
    public List<Report> restore() {
        List<Report> out = new ArrayList<>();
        List<String> names;
        try {
            names = store.names();
        } catch (IOException e) {
            log.warn("agent {}: cannot list the delivered models in {}: {}", deviceId, store.root(), e.toString());
            return out;
        }
        for (String name : names) {
            try {
                store.prune(name);
                OptionalLong active = store.activeVersion(name);
                OptionalLong previous = store.previousVersion(name);
                Optional<String> failure = Optional.empty();
                if (active.isPresent()) {
                    failure = reload(name, active.getAsLong());
                    if (failure.isEmpty()) {
                        out.add(new Report(name, active.getAsLong(), Outcome.ACTIVE, Optional.empty(), name + " v" + active.getAsLong()
                                + " active", active.getAsLong(), Map.of()));
                        continue;
                    }
                }
                if (previous.isPresent() && reload(name, previous.getAsLong()).isEmpty()) {
                    store.activate(name, previous.getAsLong());
                    String msg = name + " v" + active.orElse(0) + " no longer passes (" + failure.orElse("missing") + "); rolled back to v"
                            + previous.getAsLong();
                    log.warn("agent {}: model {}", deviceId, msg);
                    out.add(new Report(name, active.orElse(0), Outcome.ROLLED_BACK, Optional.of(Reason.SELF_TEST_FAILED), msg,
                            previous.getAsLong(), Map.of()));
                    continue;
                }
                String msg = name + " v" + active.orElse(0) + " no longer passes (" + failure.orElse("missing")
                        + "); the board profile's model runs";
                log.warn("agent {}: model {}", deviceId, msg);
                out.add(new Report(name, active.orElse(0), Outcome.REFUSED, Optional.of(Reason.INCOMPATIBLE), msg, 0, Map.of()));
            } catch (IOException e) {
                log.warn("agent {}: cannot restore model {}: {}", deviceId, name, e.toString());
            }
        }
        return out;
    }

    /** Loads a stored version into use; empty on success, else why not. */
    private Optional<String> reload(String name, long version) {
        try {
            ModelStore.Stored s = store.stored(name, version).orElseThrow(() -> new ModelDeliveryException(Reason.STORAGE,
                    "the files of v" + version + " are missing"));
            PublicKey key = gatewayKey.orElseThrow(() -> new ModelDeliveryException(Reason.NO_GATEWAY_KEY,
                    "no gateway key to verify it with"));
            ModelRelease release = SignedRelease.verify(read(s, true), key);
            byte[] file = read(s, false);
            SignedRelease.checkFile(release, file);
            if (!release.name().equals(name) || release.version() != version) {
                throw new ModelDeliveryException(Reason.OFFER_MISMATCH, "the stored manifest is for " + release.name() + " v" + release.version());
            }
            Candidate c = load(release, file, s.file());
            Optional<String> failure = c.selfTest(release.selfTest());
            if (failure.isPresent()) {
                c.close();
                return Optional.of("self-test: " + failure.get());
            }
            c.swapIn();
            running.put(name, version);
            return Optional.empty();
        } catch (ModelDeliveryException e) {
            return Optional.of(e.reason().code() + ": " + e.getMessage());
        }
    }

    /** Stops the delivery thread (a delivery in progress gets 2 s). */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.fieldline.agent.models;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.agent.inference.InferenceStage;
import dev.fieldline.agent.inference.InferenceStats;
import dev.fieldline.agent.models.ModelDelivery.Outcome;
import dev.fieldline.agent.models.ModelDelivery.Report;
import dev.fieldline.boards.BoardProfile;
import dev.fieldline.boards.BoardProfiles;
import dev.fieldline.inference.EngineOptions;
import dev.fieldline.inference.Engines;
import dev.fieldline.inference.InferenceSession;
import dev.fieldline.inference.SelfTest;
import dev.fieldline.inference.TensorSpec;
import dev.fieldline.protocol.Value;
import dev.fieldline.protocol.cose.CoseKeys;
import dev.fieldline.protocol.model.ModelDeliveryException.Reason;
import dev.fieldline.protocol.model.ModelOffer;
import dev.fieldline.protocol.model.ModelRelease;
import dev.fieldline.protocol.model.SignedRelease;
import dev.fieldline.tflite.TfliteModel;
import dev.fieldline.training.Padding;
import dev.fieldline.training.Sequential;
import dev.fieldline.training.TfliteExport;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delivery on the device against the sim board's running inference stage (its stock
 * {@code sensor-anomaly} slot: a window of 32 temperatures, 4 labels): verified versions are swapped
 * in, anything untrusted, unloadable or failing its self-test leaves the previous model active on
 * disk and running, and a restart (also one in the middle of a delivery) comes back to the last
 * version that passed.
 */
class ModelDeliveryTest {
    private static final KeyPair GATEWAY = CoseKeys.generate();
    private static final KeyPair OTHER = CoseKeys.generate();
    private static final String SLOT = "sensor-anomaly";

    @TempDir
    Path dir;

    private final Map<String, byte[]> served = new HashMap<>();
    private InferenceStage stage;
    private String stockSha;

    /** What the gateway would publish: file, signed manifest, offer. */
    record Published(byte[] file, byte[] signed, ModelOffer offer, ModelRelease release) {}

    @BeforeEach
    void start() {
        stage = stage();
        stockSha = stage.model(SLOT).orElseThrow().sha256();
    }

    @AfterEach
    void stop() {
        stage.close();
    }

    private static InferenceStage stage() {
        BoardProfile sim = BoardProfiles.load("sim");
        return InferenceStage.start(sim, Executors.newSingleThreadScheduledExecutor(), (m, r, c, i, l) -> { });
    }

    private ModelDelivery delivery(InferenceStage s, Optional<KeyPair> trusted) {
        ModelFetcher fetcher = new ModelFetcher() {
            @Override
            public byte[] fetch(ModelOffer offer, boolean manifest, int maxBytes) throws Exception {
                byte[] b = served.get(offer.name() + "/" + offer.version() + (manifest ? "/manifest" : ""));
                if (b == null) {
                    throw new java.io.IOException("4.04 Not Found");
                }
                return b;
            }

            @Override
            public String describe() {
                return "memory";
            }
        };
        return new ModelDelivery("dev-1", new ModelStore(dir), trusted.map(KeyPair::getPublic), fetcher, s);
    }

    private ModelDelivery delivery() {
        return delivery(stage, Optional.of(GATEWAY));
    }

    static Sequential dense(int inputs, long seed) {
        return Sequential.builder(seed, inputs).dense(16).relu().dense(4).build();
    }

    /** Publishes as the gateway does: self-test outputs from the micro interpreter, signed by {@code key}. */
    static Published publish(String name, long version, byte[] file, KeyPair key, UnaryOperator<byte[]> outputs) throws Exception {
        List<ModelRelease.Vector> vectors = new ArrayList<>();
        List<ModelRelease.Tensor> ins;
        List<ModelRelease.Tensor> outs;
        try (InferenceSession s = Engines.require("micro").open(TfliteModel.parse(file), EngineOptions.DEFAULT)) {
            Random r = new Random(version);
            TensorSpec in = s.inputs().get(0);
            for (int v = 0; v < 3; v++) {
                ByteBuffer b = ByteBuffer.allocate(in.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < in.elementCount(); i++) {
                    b.putFloat((float) r.nextGaussian());
                }
                vectors.add(new ModelRelease.Vector(b.array(), outputs.apply(SelfTest.record(s, b.array()))));
            }
            ins = List.of(tensor(in));
            outs = List.of(tensor(s.outputs().get(0)));
        }
        ModelRelease release = new ModelRelease(name, version, Instant.now(), "float32", ModelRelease.sha256(file), file.length, ins,
                outs, Map.of("round", new Value.Num(version)), new ModelRelease.SelfTest(1e-4, vectors));
        byte[] signed = SignedRelease.sign(release, key.getPrivate(), key.getPublic());
        return new Published(file, signed, new ModelOffer(name, version, release.sha256(), file.length, Optional.empty()), release);
    }

    private static ModelRelease.Tensor tensor(TensorSpec t) {
        List<Integer> shape = new ArrayList<>();
        for (int d : t.shape()) {
            shape.add(d);
        }
        return new ModelRelease.Tensor(t.name(), t.type().dtype(), shape, OptionalDouble.empty(), OptionalLong.empty());
    }

    private Published serve(Published p) {
        served.put(p.offer().name() + "/" + p.offer().version(), p.file());
        served.put(p.offer().name() + "/" + p.offer().version() + "/manifest", p.signed());
        return p;
    }

    private Published good(long version) throws Exception {
        return serve(publish(SLOT, version, TfliteExport.float32(dense(32, version), SLOT), GATEWAY, UnaryOperator.identity()));
    }

    private String running() {
        return stage.model(SLOT).orElseThrow().sha256();
    }

    @Test
    void aVerifiedVersionIsStoredSelfTestedAndSwappedIntoTheRunningStage() throws Exception {
        Published v1 = good(1);
        try (ModelDelivery d = delivery()) {
            Report r = d.offer(v1.offer()).get();
            assertThat(r.outcome()).as(r.message()).isEqualTo(Outcome.INSTALLED);
            assertThat(r.running()).isEqualTo(1);
            assertThat(r.message()).contains("self-test 3/3 passed", "running", "was the board profile's model");
            assertThat(r.timings()).containsKeys("download_ms", "verify_ms", "stage_ms", "load_ms", "self_test_ms", "swap_us", "total_ms");
            assertThat(running()).isEqualTo(v1.release().sha256()).isNotEqualTo(stockSha);
            assertThat(d.running()).containsEntry(SLOT, 1L);
            ModelStore store = new ModelStore(dir);
            assertThat(store.activeVersion(SLOT)).hasValue(1);
            assertThat(Files.readAllBytes(store.active(SLOT).orElseThrow().file())).isEqualTo(v1.file());

            // the same version again: nothing to do
            assertThat(d.install(v1.offer()).message()).contains("already active");

            Published v2 = good(2);
            assertThat(d.install(v2.offer()).outcome()).isEqualTo(Outcome.INSTALLED);
            assertThat(running()).isEqualTo(v2.release().sha256());
            assertThat(store.activeVersion(SLOT)).hasValue(2);
            assertThat(store.previousVersion(SLOT)).hasValue(1);
            assertThat(store.stored(SLOT, 1)).as("the previous version is kept").isPresent();
        }
    }

    @Test
    void aVersionFailingItsSelfTestIsRolledBackAndThePreviousRunsOn() throws Exception {
        Published v1 = good(1);
        // a valid signature over a manifest whose expected outputs are not what the model computes
        Published bad = serve(publish(SLOT, 2, TfliteExport.float32(dense(32, 2), SLOT), GATEWAY, out -> {
            byte[] o = out.clone();
            ByteBuffer.wrap(o).order(ByteOrder.LITTLE_ENDIAN).putFloat(0, ByteBuffer.wrap(o).order(ByteOrder.LITTLE_ENDIAN).getFloat(0) + 0.5f);
            return o;
        }));
        try (ModelDelivery d = delivery()) {
            assertThat(d.install(v1.offer()).outcome()).isEqualTo(Outcome.INSTALLED);
            Report r = d.install(bad.offer());
            assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
            assertThat(r.reason()).hasValue(Reason.SELF_TEST_FAILED);
            assertThat(r.running()).isEqualTo(1);
            assertThat(r.message()).contains("vector 1 of 3: output[0]", "kept " + SLOT + " v1");
            assertThat(running()).isEqualTo(v1.release().sha256());
            ModelStore store = new ModelStore(dir);
            assertThat(store.activeVersion(SLOT)).hasValue(1);
            assertThat(store.stored(SLOT, 2)).as("the failed version's files are gone").isEmpty();
        }
    }

    @Test
    void untrustedOrUnloadableVersionsAreRefusedWithTheirReason() throws Exception {
        Published v1 = good(1);
        byte[] tampered = v1.file().clone();
        tampered[tampered.length / 2] ^= 1;
        try (ModelDelivery d = delivery()) {
            served.put(SLOT + "/1", tampered);
            assertRefused(d.install(v1.offer()), Reason.HASH_MISMATCH);
            served.put(SLOT + "/1", java.util.Arrays.copyOf(v1.file(), v1.file().length - 100));
            assertRefused(d.install(v1.offer()), Reason.SIZE_MISMATCH);

            Published other = serve(publish(SLOT, 3, TfliteExport.float32(dense(32, 3), SLOT), OTHER, UnaryOperator.identity()));
            assertRefused(d.install(other.offer()), Reason.WRONG_KEY);

            byte[] manifest = good(4).signed().clone();
            manifest[manifest.length - 70] ^= 1; // inside the payload: the signature no longer covers it
            served.put(SLOT + "/4/manifest", manifest);
            Report r = d.install(new ModelOffer(SLOT, 4, ModelRelease.sha256(served.get(SLOT + "/4")), served.get(SLOT + "/4").length,
                    Optional.empty()));
            assertThat(r.reason()).isPresent();
            assertThat(r.reason().get()).isIn(Reason.BAD_SIGNATURE, Reason.MALFORMED);

            Published wrongInput = serve(publish(SLOT, 5, TfliteExport.float32(dense(16, 5), SLOT), GATEWAY, UnaryOperator.identity()));
            Report incompatible = d.install(wrongInput.offer());
            assertRefused(incompatible, Reason.INCOMPATIBLE);
            assertThat(incompatible.message()).contains("window of 32");

            assertRefused(d.install(new ModelOffer(SLOT, 9, v1.release().sha256(), v1.file().length, Optional.empty())),
                    Reason.DOWNLOAD_FAILED);
        }
        try (ModelDelivery untrusting = delivery(stage, Optional.empty())) {
            assertRefused(untrusting.install(good(6).offer()), Reason.NO_GATEWAY_KEY);
        }
        assertThat(new ModelStore(dir).names()).as("nothing became active").isEmpty();
    }

    private void assertRefused(Report r, Reason reason) {
        assertThat(r.outcome()).as(r.message()).isEqualTo(Outcome.REFUSED);
        assertThat(r.reason()).hasValue(reason);
        assertThat(r.running()).isZero();
        assertThat(running()).as("the stock model runs on").isEqualTo(stockSha);
    }

    @Test
    void aRestartComesBackToTheLastVersionThatPassed() throws Exception {
        Published v1 = good(1);
        Published v2 = good(2);
        try (ModelDelivery d = delivery()) {
            assertThat(d.install(v1.offer()).outcome()).isEqualTo(Outcome.INSTALLED);
        }
        // a crash in the middle of delivering v2: its files written, never activated
        new ModelStore(dir).stage(SLOT, 2, v2.file(), v2.signed());
        Files.write(dir.resolve("models").resolve(SLOT).resolve("2.tflite.tmp"), new byte[] {1});
        stage.close();
        stage = stage();
        try (ModelDelivery d = delivery()) {
            List<Report> restored = d.restore();
            assertThat(restored).extracting(Report::outcome).containsExactly(Outcome.ACTIVE);
            assertThat(running()).isEqualTo(v1.release().sha256());
            assertThat(new ModelStore(dir).stored(SLOT, 2)).as("the unfinished v2 is cleaned up").isEmpty();
            assertThat(dir.resolve("models").resolve(SLOT).resolve("2.tflite.tmp")).doesNotExist();
            assertThat(d.install(serve(v2).offer()).outcome()).isEqualTo(Outcome.INSTALLED);
        }
        // v2's file is damaged on disk: at the next start v1 takes over again
        Path v2file = new ModelStore(dir).stored(SLOT, 2).orElseThrow().file();
        byte[] damaged = Files.readAllBytes(v2file);
        damaged[damaged.length / 2] ^= 1;
        Files.write(v2file, damaged);
        stage.close();
        stage = stage();
        try (ModelDelivery d = delivery()) {
            List<Report> restored = d.restore();
            assertThat(restored).singleElement().satisfies(r -> {
                assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
                assertThat(r.running()).isEqualTo(1);
                assertThat(r.message()).contains("hash_mismatch");
            });
            assertThat(running()).isEqualTo(v1.release().sha256());
            assertThat(new ModelStore(dir).activeVersion(SLOT)).hasValue(1);
        }
    }

    @Test
    void swappingDropsNoInputAndNeverFails() throws Exception {
        Published v1 = good(1);
        dev.fieldline.agent.inference.ModelRunner base;
        try (ModelDelivery d = delivery()) {
            assertThat(d.install(v1.offer()).outcome()).isEqualTo(Outcome.INSTALLED);
        }
        base = stage.model(SLOT).orElseThrow();
        Path file = new ModelStore(dir).stored(SLOT, 1).orElseThrow().file();
        int readings = 3000;
        Random r = new Random(1);
        for (int i = 0; i < readings; i++) {
            stage.offer("temperature", 20 + r.nextGaussian());
            if (i % 60 == 0) {
                stage.swap(base.replacement(v1.file(), file));
            }
            if (i % 10 == 0) {
                Thread.onSpinWait();
            }
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
            InferenceStats s = stage.stats().get(0);
            return s.invocations() + s.skipped() == readings - 31;
        });
        InferenceStats s = stage.stats().get(0);
        assertThat(s.errors()).as("no inference ran on a closed session").isZero();
        System.out.printf("swap under load: %d windows, %d run, %d skipped (busy), %d errors, 50 swaps%n", readings - 31,
                s.invocations(), s.skipped(), s.errors());
    }

    /** The FL models' sizes, no slot on the sim board (stored and self-tested only): what verification, staging, loading and the self-test cost. */
    @Test
    void flModelSizes() throws Exception {
        Map<String, Sequential> models = new java.util.LinkedHashMap<>();
        // as dev.fieldline.federated.FlModels builds them
        models.put("fashion-mlp", Sequential.builder(1, 28, 28, 1).dense(200).relu().dense(200).relu().dense(10).build());
        models.put("fashion-cnn", Sequential.builder(1, 28, 28, 1)
                .conv2d(6, 5, 1, Padding.VALID).relu().maxPool(2, 2, Padding.VALID)
                .conv2d(16, 5, 1, Padding.VALID).relu().maxPool(2, 2, Padding.VALID)
                .dense(120).relu().dense(84).relu().dense(10).build());
        try (ModelDelivery d = delivery()) {
            for (Map.Entry<String, Sequential> e : models.entrySet()) {
                byte[] file;
                try {
                    file = TfliteExport.float32(e.getValue(), e.getKey());
                } catch (RuntimeException notYet) {
                    System.out.printf("%s: not exportable here (%s)%n", e.getKey(), notYet.getMessage());
                    continue;
                }
                Published p = serve(publish(e.getKey(), 1, file, GATEWAY, UnaryOperator.identity()));
                Report r = d.install(p.offer());
                assertThat(r.outcome()).as(r.message()).isEqualTo(Outcome.INSTALLED);
                assertThat(r.message()).contains("the board profile has no model '" + e.getKey() + "'");
                System.out.printf("%s: %d bytes, manifest %d bytes; %s%n", e.getKey(), file.length, p.signed().length, r.timings());
            }
        }
        assertThat(running()).isEqualTo(stockSha);
    }
}

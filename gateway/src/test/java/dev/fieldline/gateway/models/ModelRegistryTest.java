package dev.fieldline.gateway.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fieldline.gateway.downlink.DefaultDownlink;
import dev.fieldline.gateway.ingest.Decoded;
import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.models.ModelDeployment.State;
import dev.fieldline.gateway.security.GatewayIdentity;
import dev.fieldline.gateway.store.SqliteStore;
import dev.fieldline.gateway.store.SqliteStoreConfig;
import dev.fieldline.inference.EngineOptions;
import dev.fieldline.inference.Engines;
import dev.fieldline.inference.InferenceSession;
import dev.fieldline.inference.SelfTest;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.DecodeLimits;
import dev.fieldline.protocol.Event;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Severity;
import dev.fieldline.protocol.Value;
import dev.fieldline.protocol.model.ModelOffer;
import dev.fieldline.protocol.model.ModelRelease;
import dev.fieldline.protocol.model.SignedRelease;
import dev.fieldline.tflite.TfliteModel;
import dev.fieldline.training.Sequential;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {
    @TempDir
    Path dir;

    private SqliteStore store;
    private DefaultDownlink downlink;
    private GatewayIdentity identity;
    private ModelRegistry models;

    @BeforeEach
    void open() {
        Metrics metrics = new Metrics();
        store = SqliteStore.open(SqliteStoreConfig.defaults(dir), metrics);
        downlink = new DefaultDownlink(store, metrics, DecodeLimits.DEFAULT, Clock.systemUTC());
        identity = GatewayIdentity.loadOrCreate(dir);
        models = ModelRegistry.open(dir, identity, downlink, store, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        models.close();
        store.close();
    }

    private static Sequential dense(long seed) {
        return Sequential.builder(seed, 8).dense(6).relu().dense(3).build();
    }

    @Test
    void publishedVersionsAreSignedSelfTestedAndKeptAcrossARestart() throws Exception {
        ModelVersion v1 = models.publish("m", dense(1), ModelRegistry.randomInputs(8, 5, 1),
                Map.of("round", 4, "metrics", Map.of("accuracy", 0.75), "strategy", "fedavg"));
        ModelVersion v2 = models.publish("m", dense(2), ModelRegistry.randomInputs(8, 5, 2), Map.of("round", 5));
        assertThat(v1.version()).isEqualTo(1);
        assertThat(v2.version()).isEqualTo(2);
        assertThat(v1.source()).containsEntry("round", new Value.Num(4)).containsEntry("metrics_accuracy", new Value.Num(0.75))
                .containsEntry("strategy", new Value.Text("fedavg"));

        byte[] signed = models.signedManifest("m", 1);
        ModelRelease release = SignedRelease.verify(signed, identity.publicKey());
        byte[] file = models.file("m", 1);
        SignedRelease.checkFile(release, file);
        assertThat(release.sha256()).isEqualTo(v1.sha256());
        assertThat(release.inputs().get(0).shape()).containsExactly(1, 8);
        assertThat(release.selfTest().vectors()).hasSize(ModelRegistry.SELF_TEST_VECTORS);
        try (InferenceSession s = Engines.require("micro").open(TfliteModel.parse(file), EngineOptions.DEFAULT)) {
            for (ModelRelease.Vector v : release.selfTest().vectors()) {
                assertThat(SelfTest.check(s, v.input(), v.output(), release.selfTest().tolerance())).isEmpty();
            }
        }
        // v2's vectors do not fit v1's model: what a device's self-test catches
        ModelRelease r2 = models.manifest("m", 2);
        try (InferenceSession s = Engines.require("micro").open(TfliteModel.parse(file), EngineOptions.DEFAULT)) {
            assertThat(SelfTest.check(s, r2.selfTest().vectors().get(0).input(), r2.selfTest().vectors().get(0).output(), 1e-4))
                    .isPresent();
        }

        models.close();
        models = ModelRegistry.open(dir, identity, downlink, store, Clock.systemUTC());
        assertThat(models.versions("m")).extracting(ModelVersion::version).containsExactly(1L, 2L);
        assertThat(models.versions()).containsExactlyElementsOf(models.versions("m"));
        assertThat(models.version("m", 1).orElseThrow().source()).isEqualTo(v1.source());
        assertThat(models.signedManifest("m", 1)).isEqualTo(signed);
    }

    @Test
    void badRequestsAreRefusedWithTheirReason() {
        assertThatThrownBy(() -> models.publish("Bad Name", dense(1), ModelRegistry.randomInputs(8, 1, 1), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name must match");
        assertThatThrownBy(() -> models.publish("m", dense(1), ModelRegistry.randomInputs(8, 1, 1), Map.of("x", List.of(1))))
                .isInstanceOfSatisfying(ModelRegistryException.class, e -> assertThat(e.reason())
                        .isEqualTo(ModelRegistryException.Reason.INVALID_ARGUMENT)).hasMessageContaining("metadata 'x'");
        assertThatThrownBy(() -> models.publish("m", dense(1), ModelRegistry.randomInputs(9, 1, 1), Map.of()))
                .isInstanceOf(ModelRegistryException.class).hasMessageContaining("9 values");
        assertThatThrownBy(() -> models.publishFile("m", new byte[] {1, 2, 3}, ModelRegistry.randomInputs(8, 1, 1), Map.of()))
                .isInstanceOfSatisfying(ModelRegistryException.class, e -> assertThat(e.reason())
                        .isEqualTo(ModelRegistryException.Reason.INVALID_MODEL));
        assertThatThrownBy(() -> models.file("m", 1)).isInstanceOfSatisfying(ModelRegistryException.class,
                e -> assertThat(e.reason()).isEqualTo(ModelRegistryException.Reason.NOT_FOUND));
        assertThatThrownBy(() -> models.rollback("m", List.of(), "t")).isInstanceOf(ModelRegistryException.class)
                .hasMessageContaining("has not been rolled out");
        assertThat(models.versions()).isEmpty();
    }

    @Test
    void aRolloutOffersTheVersionAsACommandAndDeviceReportsAreRecorded() throws Exception {
        ModelVersion v1 = models.publish("m", dense(1), ModelRegistry.randomInputs(8, 3, 1), Map.of());
        models.publish("m", dense(2), ModelRegistry.randomInputs(8, 3, 2), Map.of());
        List<ModelDeployment> offers = models.rollout("m", 1, List.of("dev-1", "dev-2"), "test").get();
        assertThat(offers).extracting(ModelDeployment::state).containsOnly(State.OFFERED);
        List<Command> pending = downlink.pending("dev-1");
        assertThat(pending).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo(ModelOffer.COMMAND);
            assertThat(ModelOffer.fromArgs(c.args())).isEqualTo(new ModelOffer("m", 1, v1.sha256(), v1.bytes(), Optional.empty()));
        });
        assertThat(models.rolledOut()).containsEntry("m", 1L);

        models.committed(new Decoded.EventMessage(new Event("dev-1", new Sequence(1, 7), Instant.now(), "model", Severity.INFO, "m",
                "m v1 installed", Map.of("model", new Value.Text("m"), "version", new Value.Num(1), "outcome",
                        new Value.Text("installed"), "running", new Value.Num(1))), Transport.MQTT, Instant.now()));
        models.committed(new Decoded.EventMessage(new Event("dev-2", new Sequence(1, 9), Instant.now(), "model", Severity.WARNING,
                "m", "m v1 refused", Map.of("model", new Value.Text("m"), "version", new Value.Num(1), "outcome",
                        new Value.Text("refused"), "reason", new Value.Text("bad_signature"), "running", new Value.Num(0))),
                Transport.COAP, Instant.now()));
        await().until(() -> models.deployments(Optional.of("m")).stream().noneMatch(d -> d.state() == State.OFFERED));
        ModelDeployment d1 = models.deployments(Optional.of("m")).stream().filter(d -> d.deviceId().equals("dev-1")).findFirst()
                .orElseThrow();
        assertThat(d1.state()).isEqualTo(State.INSTALLED);
        assertThat(d1.commandId()).hasValue(pending.get(0).id());
        ModelDeployment d2 = models.deployments(Optional.of("m")).stream().filter(d -> d.deviceId().equals("dev-2")).findFirst()
                .orElseThrow();
        assertThat(d2.state()).isEqualTo(State.REFUSED);
        assertThat(d2.reason()).hasValue("bad_signature");
        assertThat(models.running()).containsEntry("dev-1", Map.of("m", 1L)).containsEntry("dev-2", Map.of("m", 0L));

        // rolling forward to v2 and back offers v1 again
        models.rollout("m", 2, List.of("dev-1"), "test").get();
        List<ModelDeployment> back = models.rollback("m", List.of("dev-1"), "test").get();
        assertThat(back).singleElement().satisfies(d -> assertThat(d.version()).isEqualTo(1));
        assertThat(models.rolledOut()).containsEntry("m", 1L);
    }
}

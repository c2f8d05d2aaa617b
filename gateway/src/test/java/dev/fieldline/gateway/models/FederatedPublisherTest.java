package dev.fieldline.gateway.models;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.federated.FlModels;
import dev.fieldline.federated.WeightLayout;
import dev.fieldline.gateway.downlink.DefaultDownlink;
import dev.fieldline.gateway.federated.FederatedConfig;
import dev.fieldline.gateway.ingest.Decoded;
import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.gateway.store.CommandRecord;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.security.GatewayIdentity;
import dev.fieldline.gateway.store.SqliteStore;
import dev.fieldline.gateway.store.SqliteStoreConfig;
import dev.fieldline.protocol.DecodeLimits;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Telemetry;
import dev.fieldline.protocol.model.ModelOffer;
import dev.fieldline.protocol.Value;
import dev.fieldline.protocol.model.ModelRelease;
import dev.fieldline.protocol.model.SignedRelease;
import dev.fieldline.training.Sequential;
import dev.fieldline.training.TfliteExport;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FederatedPublisherTest {
    @TempDir
    Path dir;

    @Test
    void eachNewGlobalModelBecomesASignedVersionWithItsRoundAndMetrics() throws Exception {
        Metrics metrics = new Metrics();
        GatewayIdentity identity = GatewayIdentity.loadOrCreate(dir);
        try (SqliteStore store = SqliteStore.open(SqliteStoreConfig.defaults(dir), metrics);
                ModelRegistry models = ModelRegistry.open(dir, identity, new DefaultDownlink(store, metrics, DecodeLimits.DEFAULT,
                        Clock.systemUTC()), store, Clock.systemUTC());
                FederatedPublisher publisher = new FederatedPublisher(models, FederatedConfig.Rollout.MANUAL)) {
            Sequential global = FlModels.create("mlp", 42);
            WeightLayout layout = WeightLayout.of(global);
            publisher.aggregated("mlp", 7, 9, layout, layout.read(global), Map.of("accuracy", 0.81, "loss", 0.52));
            publisher.awaitIdle();
            // a layout that is not the model's is not published
            publisher.aggregated("cnn", 8, 10, layout, layout.read(global), Map.of());
            publisher.awaitIdle();

            assertThat(models.versions()).singleElement().satisfies(v -> {
                assertThat(v.name()).isEqualTo("fl-mlp");
                assertThat(v.version()).isEqualTo(1);
                assertThat(v.source()).containsEntry("round", new Value.Num(9)).containsEntry("fl_version", new Value.Num(7))
                        .containsEntry("accuracy", new Value.Num(0.81));
            });
            ModelRelease r = SignedRelease.verify(models.signedManifest("fl-mlp", 1), identity.publicKey());
            assertThat(models.file("fl-mlp", 1)).as("exactly the global weights, exported").isEqualTo(TfliteExport.float32(global, "fl-mlp"));
            assertThat(r.inputs().get(0).shape()).containsExactly(1, 28, 28, 1);
            assertThat(models.rolledOut()).as("manual: nothing offered").isEmpty();
            assertThat(store.pendingCommands()).isEmpty();
        }
    }

    @Test
    void rolloutAllOffersEachSignedVersionToEveryKnownDevice() throws Exception {
        Metrics metrics = new Metrics();
        GatewayIdentity identity = GatewayIdentity.loadOrCreate(dir);
        try (SqliteStore store = SqliteStore.open(SqliteStoreConfig.defaults(dir), metrics);
                ModelRegistry models = ModelRegistry.open(dir, identity, new DefaultDownlink(store, metrics, DecodeLimits.DEFAULT,
                        Clock.systemUTC()), store, Clock.systemUTC());
                FederatedPublisher publisher = new FederatedPublisher(models, FederatedConfig.Rollout.ALL)) {
            for (String device : List.of("fl-a", "fl-b")) {
                store.append(new Decoded.TelemetryMessage(new Telemetry(device, Optional.of(new Sequence(1, 1)),
                        List.of(new Reading("t", "Cel", Optional.of(new Value.Num(1)), OptionalDouble.empty(), Instant.now()))), Transport.MQTT,
                        Instant.now())).join();
            }
            Sequential global = FlModels.create("mlp", 3);
            WeightLayout layout = WeightLayout.of(global);
            publisher.aggregated("mlp", 1, 1, layout, layout.read(global), Map.of());
            publisher.awaitIdle();
            publisher.aggregated("mlp", 2, 2, layout, layout.read(global), Map.of());
            publisher.awaitIdle();

            assertThat(models.rolledOut()).containsEntry("fl-mlp", 2L);
            List<CommandRecord> offers = store.pendingCommands();
            assertThat(offers).extracting(CommandRecord::deviceId).containsExactlyInAnyOrder("fl-a", "fl-b", "fl-a", "fl-b");
            assertThat(offers).allSatisfy(c -> assertThat(c.command().name()).isEqualTo(ModelOffer.COMMAND));
            assertThat(offers).extracting(c -> c.command().args().get("version"))
                    .containsExactlyInAnyOrder(new Value.Num(1), new Value.Num(1), new Value.Num(2), new Value.Num(2));
        }
    }
}

package dev.fieldline.gateway.models;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.federated.FlModels;
import dev.fieldline.federated.WeightLayout;
import dev.fieldline.gateway.downlink.DefaultDownlink;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.security.GatewayIdentity;
import dev.fieldline.gateway.store.SqliteStore;
import dev.fieldline.gateway.store.SqliteStoreConfig;
import dev.fieldline.protocol.DecodeLimits;
import dev.fieldline.protocol.Value;
import dev.fieldline.protocol.model.ModelRelease;
import dev.fieldline.protocol.model.SignedRelease;
import dev.fieldline.training.Sequential;
import dev.fieldline.training.TfliteExport;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
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
                FederatedPublisher publisher = new FederatedPublisher(models)) {
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
        }
    }
}

package dev.fieldline.agent.federated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.agent.uplink.Uplink;
import dev.fieldline.agent.uplink.UplinkListener;
import dev.fieldline.federated.FlModels;
import dev.fieldline.federated.TrainingPlan;
import dev.fieldline.federated.WeightLayout;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.federated.FlCodec;
import dev.fieldline.protocol.federated.FlMessage;
import dev.fieldline.protocol.federated.UpdateBody;
import dev.fieldline.training.Dataset;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The participant against a scripted gateway behind a CoAP-like uplink (answers as responses). */
class FlParticipantTest {
    private static final FlCodec CODEC = new FlCodec();

    /** Plays the gateway: a task for the first join, chunks of the weights, a receipt for a complete upload. */
    private static final class ScriptedGateway implements Uplink {
        final float[] global;
        final byte[] weights;
        final FlMessage.Task task;
        final List<FlMessage.UpdateChunk> chunks = new CopyOnWriteArrayList<>();
        final AtomicBoolean dropFirstChunk = new AtomicBoolean(true);
        volatile UpdateBody body;

        ScriptedGateway(float[] global) {
            this.global = global;
            this.weights = FlCodec.floatsToBytes(global);
            this.task = new FlMessage.Task(1, "mlp", 0, new TrainingPlan(1, 16, 0.05f, 0.9f, 0, 3).toMap(),
                    Instant.now().plusSeconds(60), FlCodec.sha256(weights), weights.length, 32_768);
        }

        @Override
        public CompletableFuture<Optional<FlMessage>> sendFederated(FlMessage m) {
            if (m instanceof FlMessage.Join) {
                return CompletableFuture.completedFuture(body == null ? Optional.of(task) : Optional.empty());
            }
            if (m instanceof FlMessage.Fetch f) {
                if (f.index() == 0 && dropFirstChunk.getAndSet(false)) {
                    return CompletableFuture.completedFuture(Optional.empty()); // lost: the participant asks again
                }
                int from = f.index() * task.chunkSize();
                return CompletableFuture.completedFuture(Optional.of(new FlMessage.Chunk(0, f.index(), task.chunks(),
                        Arrays.copyOfRange(weights, from, Math.min(weights.length, from + task.chunkSize())))));
            }
            FlMessage.UpdateChunk c = (FlMessage.UpdateChunk) m;
            chunks.add(c);
            if (c.index() < c.count() - 1) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            chunks.forEach(x -> all.writeBytes(x.data()));
            byte[] bytes = all.toByteArray();
            assertThat(FlCodec.sha256(bytes)).isEqualTo(c.digest());
            body = CODEC.decodeBody(bytes, PayloadFormat.CBOR, global.length);
            return CompletableFuture.completedFuture(Optional.of(new FlMessage.Receipt(1, "accepted", "")));
        }

        @Override
        public void start(UplinkListener listener) {
        }

        @Override
        public CompletableFuture<Void> send(MessageKind kind, byte[] payload) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public int maxInFlight() {
            return 1;
        }

        @Override
        public long reconnects() {
            return 0;
        }

        @Override
        public String describe() {
            return "scripted";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void fetchesTrainsAndUploadsTheDeltaInChunks() {
        float[] global = WeightLayout.of(FlModels.create("mlp", 5)).read(FlModels.create("mlp", 5));
        ScriptedGateway gw = new ScriptedGateway(global);
        Random r = new Random(1);
        float[] x = new float[64 * 784];
        int[] labels = new int[64];
        for (int i = 0; i < 64; i++) {
            labels[i] = i % 10;
            for (int j = 0; j < 784; j++) {
                x[i * 784 + j] = r.nextFloat() * 0.1f + (j % 10 == labels[i] ? 0.9f : 0f);
            }
        }
        Dataset local = Dataset.classification(x, 784, labels, 10);
        ParticipantConfig config = ParticipantConfig.of("mlp", Path.of("unused"), 0, 1, 64)
                .withTiming(Duration.ofMillis(200), Duration.ofMillis(300), Duration.ZERO);
        FlParticipant p = new FlParticipant("gh-7", gw, config, local, Clock.systemUTC());
        p.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> p.stats().accepted() == 1);
        } finally {
            p.close();
        }
        assertThat(gw.body.round()).isEqualTo(1);
        assertThat(gw.body.examples()).isEqualTo(64);
        assertThat(gw.body.metrics()).containsKeys("loss", "accuracy");
        float[] delta = gw.body.delta();
        assertThat(delta).hasSize(global.length);
        assertThat(Math.abs(delta[0]) + Math.abs(delta[1000]) + Math.abs(delta[global.length - 1])).isPositive();
        // chunks of at most 30,000 bytes, each ceil(size / n) but the last
        FlMessage.UpdateChunk first = gw.chunks.get(0);
        int len = (first.size() + first.count() - 1) / first.count();
        assertThat(len).isLessThanOrEqualTo(FlParticipant.UPLOAD_CHUNK);
        assertThat(gw.chunks).hasSize(first.count()).allSatisfy(c -> assertThat(c.data().length)
                .isEqualTo(Math.min(len, c.size() - c.index() * len)));
        assertThat(p.stats().lastStatus()).isEqualTo("accepted");
        assertThat(p.stats().roundsTrained()).isEqualTo(1);
    }
}

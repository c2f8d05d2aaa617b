package dev.fieldline.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.registry.DeviceRegistry;
import dev.fieldline.gateway.registry.SignatureCheck;
import dev.fieldline.gateway.store.SqliteStore;
import dev.fieldline.gateway.store.SqliteStoreConfig;
import dev.fieldline.protocol.DecodeLimits;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Coverage-guided fuzzing (Jazzer) of the payload handling every transport shares: whatever bytes,
 * kind and format arrive, the pipeline (signature check, decode, store) answers with a result —
 * stored, duplicate, rejected with a reason, or unavailable — and never throws or hangs. Runs over
 * the committed inputs in {@code IngestFuzzTestInputs/uplink} without {@code JAZZER_FUZZ}; see
 * docs/testing.md, "Fuzzing".
 */
class IngestFuzzTest {
    private static final List<MessageKind> KINDS =
            List.of(MessageKind.TELEMETRY, MessageKind.EVENT, MessageKind.STATUS, MessageKind.COMMAND_RESULT);
    private static final Harness HARNESS = new Harness();

    /** One store and registry for the whole run (in a temporary directory removed at exit). */
    private static final class Harness {
        final Metrics metrics = new Metrics();
        final IngestPipeline pipeline;

        Harness() {
            try {
                Path dir = Files.createTempDirectory("fieldline-ingest-fuzz");
                dir.toFile().deleteOnExit();
                SqliteStore store = SqliteStore.open(SqliteStoreConfig.defaults(dir), metrics);
                DeviceRegistry registry = DeviceRegistry.open(dir, Clock.systemUTC());
                pipeline = new IngestPipeline(store, metrics, DecodeLimits.DEFAULT, Clock.systemUTC(),
                        new SignatureCheck(registry, DecodeLimits.DEFAULT, false),
                        Optional.of(new RepeatedFailureAlarm(store, metrics, Clock.systemUTC(), 5, Duration.ofMinutes(1))));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @FuzzTest
    void uplink(FuzzedDataProvider data) throws Exception {
        MessageKind kind = data.pickValue(KINDS);
        PayloadFormat format = data.pickValue(PayloadFormat.values());
        byte[] payload = data.consumeRemainingAsBytes();
        Uplink uplink = new Uplink(Transport.MQTT, "fuzz-1", kind, format, payload, Instant.now());
        IngestResult result = HARNESS.pipeline.submit(uplink).get(30, TimeUnit.SECONDS);
        assertThat(result).isNotNull();
        if (result instanceof IngestResult.Rejected r) {
            assertThat(r.message()).isNotNull();
        }
    }
}

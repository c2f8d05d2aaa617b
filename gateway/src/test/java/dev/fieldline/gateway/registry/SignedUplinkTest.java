package dev.fieldline.gateway.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.gateway.ingest.IngestPipeline;
import dev.fieldline.gateway.ingest.IngestResult;
import dev.fieldline.gateway.ingest.RepeatedFailureAlarm;
import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.gateway.ingest.Uplink;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.store.AlertQuery;
import dev.fieldline.gateway.store.SqliteStore;
import dev.fieldline.gateway.store.SqliteStoreConfig;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.DecodeLimits;
import dev.fieldline.protocol.KeyIds;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.SenmlCodec;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Telemetry;
import dev.fieldline.protocol.cose.CoseKeys;
import dev.fieldline.protocol.cose.CoseSign1;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed telemetry through the real pipeline, registry and SQLite store: what is accepted, each
 * reason a signed or unsigned message is refused, and the alert on repeated refusals.
 */
class SignedUplinkTest {
    @TempDir
    Path dir;

    private final Metrics metrics = new Metrics();
    private final SenmlCodec senml = new SenmlCodec();
    private final CoseSign1 cose = new CoseSign1();
    private DeviceRegistry registry;
    private SqliteStore store;
    private final KeyPair a = CoseKeys.generate();
    private final KeyPair b = CoseKeys.generate();

    @BeforeEach
    void open() {
        registry = DeviceRegistry.open(dir, Clock.systemUTC());
        store = SqliteStore.open(SqliteStoreConfig.defaults(dir), metrics);
        enroll("dev-a", a);
        enroll("dev-b", b);
    }

    @AfterEach
    void close() {
        store.close();
        registry.close();
    }

    private void enroll(String device, KeyPair key) {
        EnrollmentToken t = registry.issueEnrollmentToken(Optional.empty(), Duration.ofHours(1), "test");
        registry.enroll(device, t.token(), key.getPublic().getEncoded());
    }

    private IngestPipeline pipeline(boolean secure) {
        return new IngestPipeline(store, metrics, DecodeLimits.DEFAULT, Clock.systemUTC(),
                new SignatureCheck(registry, DecodeLimits.DEFAULT, secure),
                Optional.of(new RepeatedFailureAlarm(store, metrics, Clock.systemUTC(), 5, Duration.ofMinutes(1))));
    }

    private byte[] pack(String device, long seq) {
        return senml.encode(new Telemetry(device, new Sequence(1, seq),
                List.of(Reading.of("temperature", "Cel", 20 + seq, Instant.now()))), PayloadFormat.CBOR);
    }

    private byte[] signed(String device, long seq, KeyPair key) {
        return cose.sign(pack(device, seq), KeyIds.of(key.getPublic()), key.getPrivate());
    }

    private static Uplink uplink(String device, byte[] payload) {
        return new Uplink(Transport.MQTT, device, MessageKind.TELEMETRY, PayloadFormat.CBOR, payload, Instant.now());
    }

    private static IngestResult submit(IngestPipeline p, String device, byte[] payload) throws Exception {
        return p.submit(uplink(device, payload)).get(10, TimeUnit.SECONDS);
    }

    private static void assertRejected(IngestResult r, DecodeError reason) {
        assertThat(r).isInstanceOf(IngestResult.Rejected.class);
        assertThat(((IngestResult.Rejected) r).reason()).isEqualTo(reason);
    }

    @Test
    void aValidSignatureIsStoredAndEachForgeryIsRefusedWithItsReason() throws Exception {
        IngestPipeline p = pipeline(true);
        assertThat(submit(p, "dev-a", signed("dev-a", 1, a))).isInstanceOf(IngestResult.Stored.class);

        byte[] tampered = signed("dev-a", 2, a);
        tampered[tampered.length - 70] ^= 0x01; // inside the payload
        assertRejected(submit(p, "dev-a", tampered), DecodeError.BAD_SIGNATURE);

        KeyPair stranger = CoseKeys.generate();
        assertRejected(submit(p, "dev-a", signed("dev-a", 3, stranger)), DecodeError.UNKNOWN_KEY);

        assertRejected(submit(p, "dev-a", signed("dev-a", 4, b)), DecodeError.WRONG_DEVICE);

        assertRejected(submit(p, "dev-a", signed("dev-a", 1, a)), DecodeError.REPLAY);

        assertRejected(submit(p, "dev-a", pack("dev-a", 5)), DecodeError.UNSIGNED);

        registry.disable("dev-b");
        assertRejected(submit(p, "dev-b", signed("dev-b", 1, b)), DecodeError.KEY_DISABLED);

        assertThat(store.readings(new dev.fieldline.gateway.store.ReadingQuery(Optional.of("dev-a"), Optional.empty(),
                Optional.empty(), Optional.empty(), 100))).hasSize(1);
        for (DecodeError r : List.of(DecodeError.BAD_SIGNATURE, DecodeError.UNKNOWN_KEY, DecodeError.WRONG_DEVICE,
                DecodeError.REPLAY, DecodeError.UNSIGNED, DecodeError.KEY_DISABLED)) {
            assertThat(metrics.total("ingest_rejected_total")).isPositive();
            assertThat(metrics.snapshot().keySet()).anyMatch(k -> k.contains("reason=\"" + r.code() + "\""));
        }
    }

    @Test
    void plainModeAcceptsUnsignedButStillChecksSignedMessages() throws Exception {
        IngestPipeline p = pipeline(false);
        assertThat(submit(p, "dev-a", pack("dev-a", 1))).isInstanceOf(IngestResult.Stored.class);
        assertThat(submit(p, "dev-a", signed("dev-a", 2, a))).isInstanceOf(IngestResult.Stored.class);
        assertRejected(submit(p, "dev-a", signed("dev-a", 3, b)), DecodeError.WRONG_DEVICE);
    }

    @Test
    void repeatedRefusalsOfOneDeviceRaiseOneCriticalAlert() throws Exception {
        IngestPipeline p = pipeline(true);
        for (int i = 1; i <= 12; i++) {
            assertRejected(submit(p, "dev-a", signed("dev-a", i, b)), DecodeError.WRONG_DEVICE);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            var alerts = store.alerts(new AlertQuery(Optional.of("dev-a"), Optional.empty(), 100));
            assertThat(alerts).hasSize(1);
            assertThat(alerts.get(0).alert().rule()).isEqualTo(RepeatedFailureAlarm.RULE);
            assertThat(alerts.get(0).alert().severity()).isEqualTo(dev.fieldline.protocol.Severity.CRITICAL);
        });
    }
}

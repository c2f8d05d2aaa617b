package dev.fieldline.gateway.coap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.gateway.ingest.IngestResult;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.mqtt.FakeDownlink;
import dev.fieldline.gateway.mqtt.FakeIngest;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Value;
import dev.fieldline.testsupport.PeerProcess;
import dev.fieldline.testsupport.Peers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CoAP server against libcoap's {@code coap-client}. It exits 0 even when the exchange failed,
 * so the tests read what it printed (errors as e.g. {@code 4.15}) and what the ingest saw.
 */
@Tag("interop")
class CoapInteropTest {
    private static final String SENML = "[{\"bn\":\"urn:dev:fl:dev-1:\",\"n\":\"temp\",\"u\":\"Cel\",\"v\":21.5}]";
    private static final int MAX_BODY = 4096;

    @TempDir
    Path dir;

    private final FakeIngest ingest = new FakeIngest();
    private final FakeDownlink downlink = new FakeDownlink();
    private final Metrics metrics = new Metrics();
    private final List<PeerProcess> peers = new ArrayList<>();
    private CoapIngestServer server;
    private Path coapClient;
    private String base;

    @BeforeEach
    void start() {
        coapClient = Peers.require("libcoap3-bin", "coap-client-notls", "coap-client-openssl", "coap-client-gnutls");
        server = new CoapIngestServer(new CoapServerConfig("127.0.0.1", 0, MAX_BODY), ingest, downlink, metrics);
        base = "coap://127.0.0.1:" + server.start().getPort() + "/";
    }

    @AfterEach
    void stop() {
        peers.forEach(PeerProcess::close);
        if (server != null) { // null when the peer program is missing and the test was skipped
            server.close();
        }
    }

    private PeerProcess coapClient(String name, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(coapClient.toString());
        cmd.addAll(List.of(args));
        PeerProcess p = PeerProcess.start(name, cmd, dir);
        peers.add(p);
        return p;
    }

    private String run(String name, String... args) {
        PeerProcess p = coapClient(name, args);
        p.awaitExit(Duration.ofSeconds(20));
        return p.output();
    }

    @Test
    void senmlJsonPostIsStored() {
        String out = run("post", "-m", "post", "-t", "110", "-e", SENML, base + "v1/d/dev-1/telemetry");
        assertThat(out).doesNotContain("4.", "5.");
        assertThat(ingest.uplinks()).singleElement().satisfies(u -> {
            assertThat(u.kind()).isEqualTo(MessageKind.TELEMETRY);
            assertThat(u.format()).isEqualTo(PayloadFormat.JSON);
        });
        assertThat(ingest.texts()).containsExactly(SENML);
    }

    @Test
    void textPlainIsUnsupportedContentFormat() {
        String out = run("text", "-m", "post", "-t", "0", "-e", SENML, base + "v1/d/dev-1/telemetry");
        assertThat(out).contains("4.15");
        assertThat(ingest.uplinks()).isEmpty();
    }

    @Test
    void oversizedBlockwisePostIsRequestEntityTooLarge() throws Exception {
        Path big = dir.resolve("big.json");
        Files.writeString(big, "[" + " ".repeat(3 * MAX_BODY) + "]");
        String out = run("big", "-m", "post", "-t", "110", "-b", "1024", "-f", big.toString(), base + "v1/d/dev-1/telemetry");
        assertThat(out).contains("4.13");
        assertThat(ingest.uplinks()).isEmpty();
    }

    @Test
    void blockwisePostWithinTheLimitIsAssembledAndStored() throws Exception {
        Path body = dir.resolve("body.json");
        String padded = SENML.substring(0, SENML.length() - 1) + " ".repeat(2500) + "]";
        Files.writeString(body, padded);
        String out = run("blocks", "-m", "post", "-t", "110", "-b", "512", "-f", body.toString(), base + "v1/d/dev-1/telemetry");
        assertThat(out).doesNotContain("4.", "5.");
        assertThat(ingest.texts()).containsExactly(padded);
    }

    @Test
    void malformedIsBadRequestWithTheReason() {
        ingest.answer(u -> new IngestResult.Rejected(DecodeError.MALFORMED, "expected an array"));
        String out = run("malformed", "-m", "post", "-t", "110", "-e", "{oops", base + "v1/d/dev-1/telemetry");
        assertThat(out).contains("4.00").contains("malformed: expected an array");
    }

    @Test
    void observerPrintsTheCommandTheGatewaySends() {
        PeerProcess observer = coapClient("observe", "-s", "10", "-A", "50", base + "v1/d/dev-1/cmd");
        await().atMost(Duration.ofSeconds(10)).until(() -> server.reaches("dev-1"));
        downlink.enqueue("dev-1", new Command("c-9", "led", Map.of("on", new Value.Bool(true)), Instant.EPOCH));

        await().atMost(Duration.ofSeconds(10)).until(() -> observer.output().contains("\"id\":\"c-9\""));
        assertThat(observer.output()).contains("\"name\":\"led\"");
        await().until(() -> downlink.delivered().contains(new FakeDownlink.Delivery("dev-1", "c-9")));
    }
}

package dev.fieldline.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.agent.journal.JournalConfig;
import dev.fieldline.agent.uplink.ReconnectPolicy;
import dev.fieldline.config.ConfigException;
import dev.fieldline.config.ConfigKey;
import dev.fieldline.protocol.PayloadFormat;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path f = dir.resolve("agent.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void loadsEveryKeyFromYaml() throws Exception {
        AgentConfig c = AgentConfig.load(write("""
                device-id: greenhouse-1
                board: sim
                data-dir: /var/lib/fl/{deviceId}
                uplink: coap://10.0.0.2:5684
                payload-format: json
                sampling-interval: 250ms
                heartbeat-interval: 1m
                journal:
                  max-size: 8MiB
                  overflow: stop-sampling
                  segment-size: 256KiB
                  fsync: interval
                  fsync-batch: 16
                  fsync-interval: 250ms
                  replay-rate: 50
                max-in-flight: 4
                reconnect: {initial: 1s, max: 1m, jitter: 0.5}
                coap: {ack-timeout: 500ms, max-retransmit: 2}
                sim:
                  seed: 7
                  base-temperature: 18.5
                  noise: 0.3
                  drift: -0.1
                  daily-amplitude: 4
                  daily-period: 12h
                  spike-probability: 0.01
                  spike-magnitude: 5
                """));
        assertThat(c.deviceId()).isEqualTo("greenhouse-1");
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/fl/greenhouse-1"));
        assertThat(c.uplink()).isEqualTo(URI.create("coap://10.0.0.2:5684"));
        assertThat(c.isMqtt()).isFalse();
        assertThat(c.payloadFormat()).isEqualTo(PayloadFormat.JSON);
        assertThat(c.samplingInterval()).contains(Duration.ofMillis(250));
        assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.journal()).isEqualTo(new JournalConfig(256 * 1024, 8 << 20, JournalConfig.FsyncPolicy.INTERVAL,
                Duration.ofMillis(250), 16, JournalConfig.OverflowPolicy.STOP_SAMPLING));
        assertThat(c.replayRate()).isEqualTo(50);
        assertThat(c.maxInFlight()).isEqualTo(4);
        assertThat(c.reconnect()).isEqualTo(new ReconnectPolicy(Duration.ofSeconds(1), Duration.ofMinutes(1), 0.5));
        assertThat(c.coapAckTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.coapMaxRetransmit()).isEqualTo(2);
        assertThat(c.sim().seed()).isEqualTo(OptionalLong.of(7));
        assertThat(c.sim().baseTemperature()).isEqualTo(18.5);
        assertThat(c.sim().dailyPeriod()).isEqualTo(Duration.ofHours(12));
        assertThat(c.simSeed()).isEqualTo(7);
    }

    @Test
    void minimalYamlGetsTheDefaults() throws Exception {
        AgentConfig c = AgentConfig.load(write("device-id: d1\nuplink: tcp://127.0.0.1:1883\n"));
        assertThat(c).isEqualTo(AgentConfig.builder("d1").uplink("tcp://127.0.0.1:1883").build());
        assertThat(c.board()).isEqualTo("sim");
        assertThat(c.dataDir()).isEqualTo(Path.of("./fieldline-agent-data/d1"));
        assertThat(c.payloadFormat()).isEqualTo(PayloadFormat.CBOR);
        assertThat(c.samplingInterval()).isEmpty();
        assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.reconnect()).isEqualTo(ReconnectPolicy.DEFAULTS);
        assertThat(c.isMqtt()).isTrue();
    }

    @Test
    void errorsNameTheFileLineAndKey() throws Exception {
        Path f = write("device-id: d1\nuplink: tcp://127.0.0.1:1883\nreconnect:\n  initial: fast\n");
        assertThatThrownBy(() -> AgentConfig.load(f))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.source()).isEqualTo(f.toString());
                    assertThat(e.line()).hasValue(4);
                    assertThat(e.path()).isEqualTo("reconnect.initial");
                    assertThat(e.reason()).isEqualTo(ConfigException.Reason.WRONG_TYPE);
                });

        Path g = write("device-id: d1\nuplink: tcp://127.0.0.1:1883\nsampling-intervall: 1s\n");
        assertThatThrownBy(() -> AgentConfig.load(g))
                .hasMessageStartingWith(g + ":3: sampling-intervall: unknown key 'sampling-intervall'");

        Path h = write("device-id: d1\nuplink: http://gw:80\n");
        assertThatThrownBy(() -> AgentConfig.load(h))
                .hasMessageStartingWith(h + ":2: uplink: uplink 'http://gw:80' has an unsupported scheme; use one of tcp (MQTT), ssl (MQTT over TLS), coap (CoAP), coaps (CoAP over DTLS)");

        Path i = write("uplink: tcp://gw:1883\n");
        assertThatThrownBy(() -> AgentConfig.load(i)).hasMessageContaining("required key 'device-id' is missing");

        Path j = write("device-id: bad/id\nuplink: tcp://gw:1883\n");
        assertThatThrownBy(() -> AgentConfig.load(j)).hasMessageStartingWith(j + ":1: device-id: device-id 'bad/id' is not a valid device id");

        Path k = write("device-id: d\nuplink: tcp://gw:1883\nsampling-interval: 10ms\n");
        assertThatThrownBy(() -> AgentConfig.load(k)).hasMessageContaining(":3: sampling-interval: must be between 100ms and 1h");
    }

    @Test
    void builderRejectsBadArgumentsNamingThem() {
        assertThatThrownBy(() -> AgentConfig.builder("d").build()).hasMessageContaining("uplink is required");
        assertThatThrownBy(() -> AgentConfig.builder("d").uplink("tcp://h:1").replayRate(0).build())
                .hasMessageContaining("replayRate");
        assertThatThrownBy(() -> AgentConfig.builder("d").uplink("tcp://h:1").journal(null).build())
                .hasMessageContaining("journal");
        assertThatThrownBy(() -> AgentConfig.builder("d").uplink("tcp://h:1").samplingInterval(Duration.ofMillis(5)).build())
                .hasMessageContaining("samplingInterval");
        assertThatThrownBy(() -> AgentConfig.builder("no way")).hasMessageContaining("deviceId");
    }

    @Test
    void securitySectionEnablesSigningAndEnrollmentWithoutPrintingTheToken() throws Exception {
        AgentConfig c = AgentConfig.load(write("device-id: d\nuplink: tcp://gw:1883\nsecurity:\n  sign: true\n"
                + "  enroll-url: http://gw:8080\n  enroll-token: s3cret-token\n"));
        assertThat(c.security().sign()).isTrue();
        assertThat(c.security().enrollUrl()).contains(java.net.URI.create("http://gw:8080"));
        assertThat(c.security().enrollToken()).contains("s3cret-token");
        assertThat(c.toString()).doesNotContain("s3cret-token");

        Path json = write("device-id: d\nuplink: tcp://gw:1883\npayload-format: json\nsecurity:\n  sign: true\n");
        assertThatThrownBy(() -> AgentConfig.load(json)).hasMessageContaining("security.sign needs payload-format cbor");
        Path tokenOnly = write("device-id: d\nuplink: tcp://gw:1883\nsecurity:\n  enroll-token: t\n");
        assertThatThrownBy(() -> AgentConfig.load(tokenOnly)).hasMessageContaining("needs security.enroll-url");
        Path ftp = write("device-id: d\nuplink: tcp://gw:1883\nsecurity:\n  enroll-url: ftp://gw\n");
        assertThatThrownBy(() -> AgentConfig.load(ftp)).hasMessageContaining("http://host:port");
    }

    @Test
    void uplinkCommitDefaultsToTransportAndAckMessageNeedsMqtt() throws Exception {
        AgentConfig plain = AgentConfig.load(write("device-id: d\nuplink: tcp://gw:1883\n"));
        assertThat(plain.uplinkCommit()).isEqualTo(AgentConfig.UplinkCommit.TRANSPORT);
        assertThat(plain.ackTimeout()).isEqualTo(Duration.ofSeconds(30));
        AgentConfig acks = AgentConfig.load(write("device-id: d\nuplink: tcp://broker:1883\nuplink-commit: ack-message\n"
                + "ack-timeout: 5s\n"));
        assertThat(acks.uplinkCommit()).isEqualTo(AgentConfig.UplinkCommit.ACK_MESSAGE);
        assertThat(acks.ackTimeout()).isEqualTo(Duration.ofSeconds(5));
        Path coap = write("device-id: d\nuplink: coap://gw:5683\nuplink-commit: ack-message\n");
        assertThatThrownBy(() -> AgentConfig.load(coap)).hasMessageContaining("ack-message needs an MQTT uplink");
        Path bad = write("device-id: d\nuplink: tcp://gw:1883\nuplink-commit: broker\n");
        assertThatThrownBy(() -> AgentConfig.load(bad)).hasMessageContaining("uplink-commit")
                .hasMessageContaining("transport or ack-message");
        Path tiny = write("device-id: d\nuplink: tcp://gw:1883\nack-timeout: 1ms\n");
        assertThatThrownBy(() -> AgentConfig.load(tiny)).hasMessageContaining("ack-timeout");
    }

    @Test
    void secureSchemesAndTheDtlsModeAreRead() throws Exception {
        AgentConfig ssl = AgentConfig.load(write("device-id: d\nuplink: SSL://gw:8883\nuplink-commit: ack-message\n"));
        assertThat(ssl.uplink()).isEqualTo(URI.create("ssl://gw:8883"));
        assertThat(ssl.isMqtt()).isTrue();
        assertThat(ssl.isSecureUplink()).isTrue();
        AgentConfig coaps = AgentConfig.load(write("device-id: d\nuplink: coaps://gw\ncoap:\n  dtls: rpk\n"));
        assertThat(coaps.isMqtt()).isFalse();
        assertThat(coaps.isSecureUplink()).isTrue();
        assertThat(coaps.coapDtls()).isEqualTo(AgentConfig.CoapDtls.RPK);
        assertThat(AgentConfig.load(write("device-id: d\nuplink: coaps://gw\n")).coapDtls()).isEqualTo(AgentConfig.CoapDtls.PSK);
        assertThat(AgentConfig.load(write("device-id: d\nuplink: tcp://gw\n")).isSecureUplink()).isFalse();
        Path bad = write("device-id: d\nuplink: coaps://gw\ncoap:\n  dtls: x509\n");
        assertThatThrownBy(() -> AgentConfig.load(bad)).hasMessageContaining("coap.dtls").hasMessageContaining("psk or rpk");
    }

    @Test
    void describesEveryKeyItReads() {
        String d = AgentConfig.describe();
        assertThat(d).startsWith("key");
        for (ConfigKey k : AgentConfig.KEYS) {
            assertThat(d).contains(k.name()).contains(k.description());
        }
        assertThat(d).contains("reconnect.initial").contains("500ms").contains("sim.noise").contains("Cel");
        assertThat(AgentConfig.KEYS).hasSize(45);
        AgentConfig off = AgentConfig.fromYaml(dev.fieldline.config.YamlDocuments.parse("t", "device-id: d\nuplink: tcp://gw:1883\ninference: false\n"));
        assertThat(off.inference()).isFalse();
        assertThat(AgentConfig.builder("d").uplink("tcp://gw:1883").build().inference()).isTrue();
    }

    @Test
    void readsTheFederatedSection() {
        AgentConfig c = AgentConfig.fromYaml(dev.fieldline.config.YamlDocuments.parse("t", "device-id: d\nuplink: tcp://gw:1883\n"
                + "federated:\n  data: /data/fmnist\n  shard: 2\n  shards: 4\n  examples: 1500\n  join-interval: 2s\n"));
        assertThat(c.federated()).hasValueSatisfying(f -> {
            assertThat(f.model()).isEqualTo("mlp");
            assertThat(f.shard()).isEqualTo(2);
            assertThat(f.examples()).isEqualTo(1500);
            assertThat(f.joinInterval()).isEqualTo(java.time.Duration.ofSeconds(2));
        });
        assertThat(c.toBuilder().build().federated()).isEqualTo(c.federated());
        assertThatThrownBy(() -> AgentConfig.fromYaml(dev.fieldline.config.YamlDocuments.parse("t",
                "device-id: d\nuplink: tcp://gw:1883\nfederated:\n  data: /x\n  shard: 4\n  shards: 4\n")))
                .hasMessageContaining("federated").hasMessageContaining("shard");
    }

    @Test
    void journalDefaultsAndBadJournalValuesNameTheKey() throws Exception {
        AgentConfig c = AgentConfig.load(write("device-id: d\nuplink: tcp://gw:1883\n"));
        assertThat(c.journal()).isEqualTo(JournalConfig.DEFAULTS);
        assertThat(c.journal().maxSize()).isEqualTo(64L << 20);
        assertThat(c.journal().segmentSize()).isEqualTo(1L << 20);
        assertThat(c.replayRate()).isEqualTo(200);
        Path bad = write("device-id: d\nuplink: tcp://gw:1883\njournal:\n  overflow: spill\n");
        assertThatThrownBy(() -> AgentConfig.load(bad)).hasMessageContaining("journal.overflow")
                .hasMessageContaining("drop-oldest, drop-newest or stop-sampling");
        Path small = write("device-id: d\nuplink: tcp://gw:1883\njournal:\n  segment-size: 10\n");
        assertThatThrownBy(() -> AgentConfig.load(small)).hasMessageContaining("segmentSize must be 1024");
        Path size = write("device-id: d\nuplink: tcp://gw:1883\njournal:\n  max-size: 64MB\n");
        assertThatThrownBy(() -> AgentConfig.load(size)).hasMessageContaining("journal.max-size")
                .hasMessageContaining("64MiB");
    }
}

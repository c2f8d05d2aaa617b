package dev.fieldline.tools.bench;

import dev.fieldline.agent.uplink.TlsSocketFactory;
import dev.fieldline.gateway.Gateway;
import dev.fieldline.gateway.GatewayConfig;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.registry.DeviceCredentials;
import dev.fieldline.protocol.DevicePsk;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.cose.CoseKeys;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.PskPublicInformation;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.eclipse.californium.scandium.util.SecretUtil;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The cost of security on the same load in the same run: plain against signed (COSE_Sign1 ES256,
 * verified by the gateway against the enrolled key) and against signed over TLS/DTLS, for MQTT and
 * CoAP, each as messages/s stored and p50/p99 publish-to-stored latency with the ratio to the plain
 * run of its transport; and the device's CPU time per signed message.
 *
 * <p>Two gateways, one after the other: a plain-mode one (plain and signed MQTT and CoAP, and unsigned
 * over TLS/DTLS to show the transport's own cost; plain mode still verifies every signed message) and a
 * secure-mode one (devices log in; MQTT with the token,
 * MQTT over TLS with a client certificate from the gateway CA, CoAP over DTLS with the device PSK).
 */
@Command(name = "secure", mixinStandardHelpOptions = true,
        description = "Plain vs signed vs signed over TLS/DTLS, MQTT and CoAP, same load; msg/s stored, p50/p99 "
                + "publish-to-stored latency, ratios to plain; device CPU time per signed message.")
public final class SecureBench implements Callable<Integer> {
    @Mixin
    LoadOptions options = new LoadOptions();

    private static final String COSE_CONTENT_TYPE = PayloadFormat.COSE_SIGN1_MEDIA_TYPE;

    @Option(names = "--cpu-messages", description = "Messages signed on one thread for the CPU figures (default: ${DEFAULT-VALUE}).")
    int cpuMessages = 10_000;

    @Option(names = "--runs", split = ",", description = "Which runs: ${DEFAULT-VALUE}.")
    List<String> runs = List.of("mqtt", "mqtt-signed", "mqtts-unsigned", "coap", "coap-signed", "coaps-unsigned",
            "mqtt-secure", "mqtts", "coaps", "cpu");

    private record Row(String run, String baseline, LatencyRecorder.Result result) {
    }

    /** One measured configuration. */
    @FunctionalInterface
    private interface Run {
        LatencyRecorder.Result measure(String name, long bootId) throws Exception;
    }

    private final List<Row> rows = new ArrayList<>();
    private long nextBoot = 1;

    @Override
    public Integer call() throws Exception {
        LoadShape shape = options.shape();
        Payloads plain = Payloads.telemetry(shape, options.readings, PayloadFormat.CBOR);
        KeyPair[] keys = new KeyPair[options.devices];
        for (int d = 0; d < options.devices; d++) {
            keys[d] = CoseKeys.generate();
        }
        Payloads signed = plain.signedWith(keys);
        System.out.printf(Locale.ROOT, "bench secure: %d devices x %d messages = %d, %d reading(s) per message "
                        + "(%d bytes plain, %d signed), %d in flight per device, warm-up %d per device; %d cores, Java %s%n",
                options.devices, options.messages, (long) options.devices * options.messages, options.readings, plain.payload(0, 1, 1).length,
                signed.payload(0, 1, 1).length, options.inflight, options.warmup, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        if (runs.contains("cpu")) {
            new SigningCost(plain, keys[0], cpuMessages).print();
        }
        System.out.println(LatencyRecorder.Result.header());
        Path dir = Files.createTempDirectory("fieldline-bench-secure");
        try {
            plainGateway(dir.resolve("plain"), shape, plain, signed, keys);
            secureGateway(dir.resolve("secure"), shape, signed, keys);
        } finally {
            IngestBench.deleteQuietly(dir);
        }
        printRatios();
        boolean complete = rows.stream().allMatch(r -> r.result().completed() == r.result().expected());
        if (!complete) {
            System.out.println("INCOMPLETE: some runs did not finish within " + options.timeout + " or had refusals");
        }
        return complete ? 0 : 1;
    }

    private void plainGateway(Path dataDir, LoadShape shape, Payloads plain, Payloads signed, KeyPair[] keys) {
        if (runs.stream().noneMatch(r -> List.of("mqtt", "mqtt-signed", "mqtts-unsigned", "coap", "coap-signed",
                "coaps-unsigned").contains(r))) {
            return;
        }
        GatewayConfig config = GatewayConfig.defaults(dataDir).withBindHost("127.0.0.1").withHttpPort(-1)
                .withMqttPort(0).withCoapPort(0).withCoapsPort(0).withMqttsPort(0);
        try (Gateway gateway = Gateway.start(config)) {
            DeviceCredentials[] creds = enroll(gateway, shape, keys);
            String mqtt = "tcp://127.0.0.1:" + gateway.mqttAddress().orElseThrow().getPort();
            String mqtts = "ssl://127.0.0.1:" + gateway.mqttsAddress().orElseThrow().getPort();
            String coap = "coap://127.0.0.1:" + gateway.coapAddress().orElseThrow().getPort();
            String coaps = "coaps://127.0.0.1:" + gateway.coapsAddress().orElseThrow().getPort();
            int senmlCbor = PayloadFormat.CBOR.coapContentFormat(MessageKind.TELEMETRY);
            String senmlType = PayloadFormat.CBOR.mediaType(MessageKind.TELEMETRY);
            IntFunction<MqttConnectionOptions> anonymous = d -> MqttLoad.baseOptions();
            run(gateway, "mqtt", "mqtt plain", "mqtt plain", (name, boot) ->
                    new MqttLoad(shape, mqtt, anonymous, plain, senmlType).measure(name, boot, options.warmup, options.messages));
            run(gateway, "mqtt-signed", "mqtt signed", "mqtt plain", (name, boot) ->
                    new MqttLoad(shape, mqtt, anonymous, signed, COSE_CONTENT_TYPE).measure(name, boot, options.warmup, options.messages));
            run(gateway, "mqtts-unsigned", "mqtts unsigned, client cert", "mqtt plain", (name, boot) ->
                    new MqttLoad(shape, mqtts, clientCertificates(gateway, shape, keys), plain, senmlType)
                            .measure(name, boot, options.warmup, options.messages));
            run(gateway, "coap", "coap plain", "coap plain", (name, boot) ->
                    new CoapLoad(shape, CoapLoad.plainEndpoints(shape), coap, plain, senmlCbor).measure(name, boot, options.warmup, options.messages));
            run(gateway, "coap-signed", "coap signed", "coap plain", (name, boot) ->
                    new CoapLoad(shape, CoapLoad.plainEndpoints(shape), coap, signed, PayloadFormat.COSE_SIGN1_CONTENT_FORMAT)
                            .measure(name, boot, options.warmup, options.messages));
            run(gateway, "coaps-unsigned", "coaps unsigned, psk", "coap plain", (name, boot) ->
                    new CoapLoad(shape, pskEndpoints(shape, creds), coaps, plain, senmlCbor).measure(name, boot, options.warmup, options.messages));
        }
    }

    private void secureGateway(Path dataDir, LoadShape shape, Payloads signed, KeyPair[] keys) {
        if (!(runs.contains("mqtt-secure") || runs.contains("mqtts") || runs.contains("coaps"))) {
            return;
        }
        GatewayConfig config = GatewayConfig.defaults(dataDir).withBindHost("127.0.0.1").withHttpPort(-1)
                .withMqttPort(0).withCoapPort(-1).withCoapsPort(0).withMqttsPort(0).withSecure(true);
        try (Gateway gateway = Gateway.start(config)) {
            DeviceCredentials[] creds = enroll(gateway, shape, keys);
            String mqtt = "tcp://127.0.0.1:" + gateway.mqttAddress().orElseThrow().getPort();
            String mqtts = "ssl://127.0.0.1:" + gateway.mqttsAddress().orElseThrow().getPort();
            InetSocketAddress coaps = gateway.coapsAddress().orElseThrow();
            IntFunction<MqttConnectionOptions> login = d -> {
                MqttConnectionOptions o = MqttLoad.baseOptions();
                o.setUserName(creds[d].deviceId());
                o.setPassword(creds[d].token().getBytes(StandardCharsets.UTF_8));
                return o;
            };
            run(gateway, "mqtt-secure", "mqtt signed, secure, token", "mqtt plain", (name, boot) ->
                    new MqttLoad(shape, mqtt, login, signed, COSE_CONTENT_TYPE).measure(name, boot, options.warmup, options.messages));
            run(gateway, "mqtts", "mqtts signed, secure, client cert", "mqtt plain", (name, boot) ->
                    new MqttLoad(shape, mqtts, clientCertificates(gateway, shape, keys), signed, COSE_CONTENT_TYPE)
                            .measure(name, boot, options.warmup, options.messages));
            run(gateway, "coaps", "coaps signed, secure, psk", "coap plain", (name, boot) ->
                    new CoapLoad(shape, pskEndpoints(shape, creds), "coaps://127.0.0.1:" + coaps.getPort(), signed,
                            PayloadFormat.COSE_SIGN1_CONTENT_FORMAT).measure(name, boot, options.warmup, options.messages));
        }
    }

    /** Runs one configuration if selected, printing its row and what the gateway counted; a failure prints "skipped". */
    private void run(Gateway gateway, String key, String name, String baseline, Run run) {
        if (!runs.contains(key)) {
            return;
        }
        Metrics m = gateway.metrics();
        long stored = m.total("ingest_stored_total");
        long rejected = m.total("ingest_rejected_total");
        long boot = nextBoot++;
        try {
            LatencyRecorder.Result r = IngestBench.print(run.measure(name, boot));
            rows.add(new Row(name, baseline, r));
        } catch (Exception | AssertionError e) {
            System.out.printf(Locale.ROOT, "%-34s skipped: %s%n", name, e);
        }
        System.out.printf(Locale.ROOT, "  gateway counted %d stored, %d refused (warm-up included)%n",
                m.total("ingest_stored_total") - stored, m.total("ingest_rejected_total") - rejected);
    }

    private void printRatios() {
        System.out.println("ratios to the plain run of the same transport (throughput, p50 latency, p99 latency):");
        for (Row r : rows) {
            Optional<Row> base = rows.stream().filter(b -> b.run().equals(r.baseline())).findFirst();
            if (base.isEmpty() || base.get() == r) {
                continue;
            }
            LatencyRecorder.Result a = r.result();
            LatencyRecorder.Result b = base.get().result();
            System.out.printf(Locale.ROOT, "  %-34s / %-11s %6.2f %6.2f %6.2f%n", r.run(), r.baseline(),
                    a.perSecond() / b.perSecond(), a.p50Millis() / b.p50Millis(), a.p99Millis() / b.p99Millis());
        }
    }

    private static DeviceCredentials[] enroll(Gateway gateway, LoadShape shape, KeyPair[] keys) {
        DeviceCredentials[] creds = new DeviceCredentials[keys.length];
        for (int d = 0; d < keys.length; d++) {
            String id = shape.deviceId(d);
            String token = gateway.registry().issueEnrollmentToken(Optional.of(id), Duration.ofHours(1), "bench").token();
            creds[d] = gateway.registry().enroll(id, token, keys[d].getPublic().getEncoded());
        }
        return creds;
    }

    /**
     * TLS options per device, as the agent builds them ({@link TlsSocketFactory}): trust only the
     * gateway CA, present the device's key with its certificate from that CA, TCP_NODELAY.
     */
    private static IntFunction<MqttConnectionOptions> clientCertificates(Gateway gateway, LoadShape shape, KeyPair[] keys) {
        java.security.cert.X509Certificate ca = gateway.certificateAuthority().certificate();
        TlsSocketFactory[] factories = new TlsSocketFactory[keys.length];
        for (int d = 0; d < keys.length; d++) {
            factories[d] = TlsSocketFactory.create(keys[d].getPrivate(), gateway.deviceCertificate(shape.deviceId(d)), ca);
        }
        return d -> {
            MqttConnectionOptions o = MqttLoad.baseOptions();
            o.setSocketFactory(factories[d]);
            o.setHttpsHostnameVerificationEnabled(true);
            return o;
        };
    }

    /** DTLS 1.2 client endpoints, each with its device's PSK (identity = device id). */
    private static IntFunction<CoapEndpoint> pskEndpoints(LoadShape shape, DeviceCredentials[] creds) {
        DtlsConfig.register();
        return d -> {
            Configuration config = CoapLoad.configuration(shape); // one per connector: Scandium keeps state in it
            DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(config)
                    .setAddress(new InetSocketAddress("127.0.0.1", 0))
                    .set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY)
                    // the whole first window waits for the handshake; Scandium's default (10) drops the rest
                    .set(DtlsConfig.DTLS_MAX_DEFERRED_OUTBOUND_APPLICATION_MESSAGES, shape.inflight())
                    .setAdvancedPskStore(new AdvancedSinglePskStore(new PskPublicInformation(creds[d].deviceId()),
                            SecretUtil.create(DevicePsk.derive(creds[d].token()), "PSK")))
                    .build();
            return new CoapEndpoint.Builder().setConfiguration(config).setConnector(new DTLSConnector(dtls)).build();
        };
    }
}

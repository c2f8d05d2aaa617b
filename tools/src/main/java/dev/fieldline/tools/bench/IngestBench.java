package dev.fieldline.tools.bench;

import dev.fieldline.gateway.Gateway;
import dev.fieldline.gateway.GatewayConfig;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.SenmlCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * N simulated devices publish sequenced telemetry to an in-process gateway over MQTT (QoS 1), then
 * over CoAP (confirmable POST); latency runs from publish to the acknowledgement, which the gateway
 * sends only after the message is committed to its store, so it is publish-to-stored. The same MQTT
 * load then goes through a real Mosquitto to a subscriber, and the ratio is printed.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Devices publishing to the gateway over MQTT and CoAP; messages/s stored and p50/p99 publish-to-stored latency, "
                + "with the same MQTT load through Mosquitto to a subscriber for comparison.")
public final class IngestBench implements Callable<Integer> {
    @Mixin
    LoadOptions options = new LoadOptions();


    @Option(names = "--format", description = "Payload format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    PayloadFormat format = PayloadFormat.CBOR;

    @Option(names = "--transports", split = ",", description = "Which runs: mqtt, coap, mosquitto (default: ${DEFAULT-VALUE}).")
    List<String> transports = List.of("mqtt", "coap", "mosquitto");

    @Option(names = "--mosquitto", paramLabel = "PATH", description = "Mosquitto binary for the comparison run (default: found on PATH or in /usr/sbin).")
    Path mosquittoBinary;

    private final SenmlCodec codec = new SenmlCodec();

    @Override
    public Integer call() throws Exception {
        LoadShape shape = options.shape();
        Payloads payloads = Payloads.telemetry(shape, options.readings, format);
        String contentType = format.mediaType(MessageKind.TELEMETRY);
        long total = (long) options.devices * options.messages;
        byte[] sample = payloads.payload(0, 1, 1);
        System.out.printf(Locale.ROOT, "bench ingest: %d devices x %d messages = %d, %d reading(s) per message (%s, %d bytes), "
                        + "%d in flight per device; %d cores, Java %s%n",
                options.devices, options.messages, total, options.readings, format, sample.length, options.inflight,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.println(LatencyRecorder.Result.header());
        List<LatencyRecorder.Result> results = new ArrayList<>();
        Path dir = Files.createTempDirectory("fieldline-bench");
        try {
            if (transports.contains("mqtt") || transports.contains("coap")) {
                GatewayConfig config = GatewayConfig.defaults(dir.resolve("gateway"))
                        .withBindHost("127.0.0.1").withHttpPort(0).withMqttPort(0).withCoapPort(0)
                        .withCoapsPort(-1).withMqttsPort(-1);
                try (Gateway gateway = Gateway.start(config)) {
                    if (transports.contains("mqtt")) {
                        InetSocketAddress a = gateway.mqttAddress().orElseThrow();
                        MqttLoad load = new MqttLoad(shape, "tcp://127.0.0.1:" + a.getPort(), d -> MqttLoad.baseOptions(),
                                payloads, contentType);
                        results.add(print(load.measure("mqtt -> gateway (stored)", 1, options.warmup, options.messages)));
                        System.out.printf(Locale.ROOT, "  gateway counted %d stored over MQTT%n",
                                gateway.metrics().get("ingest_stored_total", "transport", "mqtt"));
                    }
                    if (transports.contains("coap")) {
                        InetSocketAddress a = gateway.coapAddress().orElseThrow();
                        CoapLoad load = new CoapLoad(shape, CoapLoad.plainEndpoints(shape), "coap://127.0.0.1:" + a.getPort(),
                                payloads, format.coapContentFormat(MessageKind.TELEMETRY));
                        results.add(print(load.measure("coap -> gateway (stored)", 2, options.warmup, options.messages)));
                        System.out.printf(Locale.ROOT, "  gateway counted %d stored over CoAP%n",
                                gateway.metrics().get("ingest_stored_total", "transport", "coap"));
                    }
                }
            }
            if (transports.contains("mosquitto")) {
                Optional<Path> binary = mosquittoBinary != null ? Optional.of(mosquittoBinary) : MosquittoProcess.find();
                if (binary.isEmpty()) {
                    System.out.println("mosquitto not found: skipping the comparison run (install Debian package 'mosquitto')");
                } else {
                    try (MosquittoProcess broker = MosquittoProcess.start(binary.get(), dir.resolve("mosquitto"))) {
                        MqttLoad load = new MqttLoad(shape, broker.url(), d -> MqttLoad.baseOptions(), payloads, contentType)
                                .throughSubscriber((device, bytes) ->
                                        codec.decodeTelemetry(device, bytes, format).sequence().orElseThrow().seq());
                        results.add(print(load.measure("mqtt -> mosquitto -> subscriber", 1, options.warmup, options.messages)));
                    }
                }
            }
        } finally {
            deleteQuietly(dir);
        }
        LatencyRecorder.Result gw = find(results, "mqtt -> gateway");
        LatencyRecorder.Result mq = find(results, "mqtt -> mosquitto");
        if (gw != null && mq != null) {
            System.out.printf(Locale.ROOT, "ratio gateway/mosquitto: throughput %.2f, p50 latency %.2f, p99 latency %.2f%n",
                    gw.perSecond() / mq.perSecond(), gw.p50Millis() / mq.p50Millis(), gw.p99Millis() / mq.p99Millis());
        }
        boolean complete = results.stream().allMatch(r -> r.completed() == r.expected());
        if (!complete) {
            System.out.println("INCOMPLETE: some runs did not finish within " + options.timeout);
        }
        return complete ? 0 : 1;
    }

    static LatencyRecorder.Result find(List<LatencyRecorder.Result> results, String prefix) {
        return results.stream().filter(r -> r.name().startsWith(prefix)).findFirst().orElse(null);
    }

    static LatencyRecorder.Result print(LatencyRecorder.Result r) {
        System.out.println(r.row());
        return r;
    }

    static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // temp data of a benchmark
        }
    }
}

package dev.fieldline.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fieldline.gateway.Gateway;
import dev.fieldline.gateway.GatewayConfig;
import dev.fieldline.gateway.rules.RuleEngine;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * From an MQTT publish to the rule's webhook: N simulated devices publish one-reading telemetry to an
 * in-process gateway at a set rate, every k-th message of each device above the threshold of the rule
 * {@code value > 75} (actions: an alert and a webhook to a local receiver); latency runs from the
 * publish of an above-threshold message to the arrival of its webhook. The path measured is the
 * whole gateway: MQTT endpoint, decode, store (the rules see committed readings), stream analytics,
 * rule engine, alert action and webhook delivery over HTTP.
 */
@Command(name = "alerts", mixinStandardHelpOptions = true,
        description = "Devices publishing over MQTT to a gateway with a rule (value > 75: alert + webhook); p50/p90/p99/max "
                + "latency from publish to the webhook's arrival, at a set rate.")
public final class AlertsBench implements Callable<Integer> {
    static final double THRESHOLD = 75;
    /** An above-threshold message carries HOT_BASE + its sequence number, so its webhook tells which message it was. */
    static final double HOT_BASE = 1000;
    static final String RULE = "bench-hot";

    @Spec
    CommandSpec spec;

    @Mixin
    LoadOptions options = new LoadOptions();

    @Option(names = "--rate", description = "Messages per second, all devices together (default: ${DEFAULT-VALUE}).")
    double rate = 1000;

    @Option(names = "--every", description = "Every k-th message of each device is above the threshold and fires the rule "
            + "(default: ${DEFAULT-VALUE}).")
    int every = 10;

    @Override
    public Integer call() throws Exception {
        if (every < 1) {
            throw new ParameterException(spec.commandLine(), "--every must be >= 1, was " + every);
        }
        if (!(rate > 0)) {
            throw new ParameterException(spec.commandLine(), "--rate must be > 0 messages/s, was " + rate);
        }
        LoadShape shape = options.shape();
        PayloadFormat format = PayloadFormat.CBOR;
        Payloads payloads = Payloads.telemetry(shape, 1, format,
                (device, seq) -> seq % every == 0 ? HOT_BASE + seq : 20 + (seq % 50) / 10.0);
        long total = (long) options.devices * options.messages;
        System.out.printf(Locale.ROOT, "bench alerts: %d devices x %d messages = %d at %.0f msg/s, every %d-th above %s "
                        + "(%d webhooks expected), %d in flight per device; %d cores, Java %s%n",
                options.devices, options.messages, total, rate, every, THRESHOLD, options.devices * (long) (options.messages / every),
                options.inflight, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        Path dir = Files.createTempDirectory("fieldline-bench");
        try (WebhookArrivals webhooks = new WebhookArrivals(body -> message(shape, body), every)) {
            Path data = Files.createDirectories(dir.resolve("gateway"));
            Files.writeString(data.resolve("rules.yaml"), rules(webhooks), StandardCharsets.UTF_8);
            GatewayConfig config = GatewayConfig.defaults(data)
                    .withBindHost("127.0.0.1").withHttpPort(0).withMqttPort(0).withCoapPort(-1)
                    .withCoapsPort(-1).withMqttsPort(-1);
            try (Gateway gateway = Gateway.start(config)) {
                InetSocketAddress a = gateway.mqttAddress().orElseThrow();
                MqttLoad load = new MqttLoad(shape, "tcp://127.0.0.1:" + a.getPort(), d -> MqttLoad.baseOptions(), payloads,
                        format.mediaType(MessageKind.TELEMETRY)).paced(rate).through(webhooks);
                System.out.println(LatencyRecorder.Result.header());
                LatencyRecorder.Result r = IngestBench.print(load.measure("mqtt publish -> webhook", 1, options.warmup,
                        options.messages));
                System.out.printf(Locale.ROOT, "  publish rate achieved %.0f msg/s (%d messages over %.2f s, first publish to "
                                + "last webhook); webhooks %.0f/s%n",
                        total / r.seconds(), total, r.seconds(), r.perSecond());
                System.out.printf(Locale.ROOT, "  gateway: rule %s evaluated %d, fired %d, failed %d; webhooks received %d "
                                + "(unidentified %d)%n", RULE,
                        gateway.metrics().get(RuleEngine.EVALUATIONS, "rule", RULE), gateway.metrics().get(RuleEngine.FIRED, "rule", RULE),
                        gateway.metrics().get(RuleEngine.FAILED, "rule", RULE), webhooks.received(), webhooks.unknown());
                if (r.completed() != r.expected()) {
                    System.out.println("INCOMPLETE: " + r.completed() + " of " + r.expected() + " webhooks within " + options.timeout);
                    return 1;
                }
                return 0;
            }
        } finally {
            IngestBench.deleteQuietly(dir);
        }
    }

    /** The rules file: one rule, above the threshold raise an alert and call the webhook. */
    static String rules(WebhookArrivals webhooks) {
        return String.format(Locale.ROOT, """
                rules:
                  - id: %s
                    name: bench alerts
                    metric: temperature
                    when: value > %s
                    severity: warning
                    actions:
                      - alert: {}
                      - webhook: {url: "%s"}
                """, RULE, THRESHOLD, webhooks.url());
    }

    /** The message a webhook body is about: its device and, from the value, its sequence number. */
    static Optional<WebhookArrivals.Message> message(LoadShape shape, JsonNode body) {
        if (!"fired".equals(body.path("event").asText()) || !body.path("value").isNumber()) {
            return Optional.empty();
        }
        double value = body.path("value").asDouble();
        if (value < HOT_BASE) {
            return Optional.empty();
        }
        return Optional.of(new WebhookArrivals.Message(shape.deviceIndex(body.path("device").asText()),
                (int) Math.round(value - HOT_BASE)));
    }
}

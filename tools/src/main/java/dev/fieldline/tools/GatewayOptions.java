package dev.fieldline.tools;

import dev.fieldline.gateway.GatewayConfig;
import java.net.URI;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Gateway listener options, shared by {@code gateway} and {@code demo}. */
final class GatewayOptions {
    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where the gateway keeps its database (default: ${DEFAULT-VALUE}).")
    Path dataDir = Path.of("fieldline-data");

    @Option(names = "--http-port", paramLabel = "P", description = "Web API port; 0 picks a free port, -1 disables (default: ${DEFAULT-VALUE}).")
    int httpPort = 8080;

    @Option(names = "--mqtt-port", paramLabel = "P", description = "Device-facing MQTT port; 0 picks a free port, -1 disables (default: ${DEFAULT-VALUE}).")
    int mqttPort = 1883;

    @Option(names = "--coap-port", paramLabel = "P", description = "CoAP (UDP) port; 0 picks a free port, -1 disables (default: ${DEFAULT-VALUE}).")
    int coapPort = 5683;

    @Option(names = "--coaps-port", paramLabel = "P", description = "CoAP over DTLS 1.2 (UDP) port, device PSK or raw public key;"
            + " 0 picks a free port, -1 disables (default: ${DEFAULT-VALUE}).")
    int coapsPort = GatewayConfig.DEFAULT_COAPS_PORT;

    @Option(names = "--mqtts-port", paramLabel = "P", description = "MQTT over TLS port, client certificate from the gateway CA or"
            + " user name + device token; 0 picks a free port, -1 disables (default: ${DEFAULT-VALUE}).")
    int mqttsPort = GatewayConfig.DEFAULT_MQTTS_PORT;

    @Option(names = "--tls-name", paramLabel = "NAME", description = "A host name or address for the gateway's TLS certificate"
            + " besides localhost and 127.0.0.1 (repeatable).")
    java.util.List<String> tlsNames = new java.util.ArrayList<>();

    @Option(names = "--broker", paramLabel = "URL", description = "Also ingest from an external MQTT broker, e.g. tcp://localhost:1883 (MQTT 5 shared subscriptions).")
    URI broker;

    @Option(names = "--alert-threshold", paramLabel = "X", description = "Readings above this raise a warning alert (default: ${DEFAULT-VALUE}).")
    double alertThreshold = 75;

    @Option(names = "--secure", description = "Secure mode: devices must authenticate (MQTT user name = device id, password ="
            + " device token from enrollment), plain CoAP uplinks are refused, the web API needs bearer tokens. On first start"
            + " an admin token is written to DIR/admin.token.")
    boolean secure;

    @Option(names = "--rules", paramLabel = "FILE", description = "The rules file, watched for edits and rewritten by the rules API;"
            + " created empty if absent (default: DIR/rules.yaml).")
    Path rulesFile;

    @Option(names = "--cloud", paramLabel = "FILE", description = "Forward selected data (readings above a bound, anomalies,"
            + " window aggregates, alerts) to an HTTP endpoint or an upstream MQTT broker, store-and-forward, as this YAML"
            + " file says (docs/analytics.md#cloud-sync).")
    Path cloudFile;

    @Option(names = "--fl", paramLabel = "FILE", description = "Run federated-learning rounds with the devices that join, as"
            + " this YAML file says: model, strategy, fraction, minimum clients and updates, deadline, local training"
            + " (docs/federated.md#protocol-and-gateway-service).")
    Path federatedFile;

    GatewayConfig toConfig(String bindHost) {
        GatewayConfig c = GatewayConfig.defaults(dataDir)
                .withBindHost(bindHost)
                .withHttpPort(httpPort)
                .withMqttPort(mqttPort)
                .withCoapPort(coapPort)
                .withCoapsPort(coapsPort)
                .withMqttsPort(mqttsPort)
                .withTlsNames(tlsNames)
                .withAlertThreshold(alertThreshold)
                .withSecure(secure);
        if (rulesFile != null) {
            c = c.withAnalytics(c.analytics().withRulesFile(rulesFile));
        }
        if (cloudFile != null) {
            c = c.withAnalytics(c.analytics().withCloudFile(cloudFile));
        }
        if (federatedFile != null) {
            c = c.withFederated(dev.fieldline.gateway.federated.FederatedConfig.load(federatedFile));
        }
        return broker == null ? c : c.withExternalBroker(broker);
    }
}

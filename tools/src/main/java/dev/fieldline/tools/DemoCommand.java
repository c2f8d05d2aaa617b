package dev.fieldline.tools;

import dev.fieldline.agent.Agent;
import dev.fieldline.agent.AgentConfig;
import dev.fieldline.agent.hal.sim.Anomaly;
import dev.fieldline.gateway.Gateway;
import dev.fieldline.gateway.GatewayConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "A gateway on embedded defaults (own MQTT endpoint, CoAP server, SQLite) and simulated devices, "
                + "some on MQTT and some on CoAP. Runs until stopped (Ctrl-C).")
final class DemoCommand implements Callable<Integer> {

    @Mixin
    GatewayOptions options = new GatewayOptions();

    @Option(names = "--devices", description = "Simulated devices, alternately on MQTT and CoAP (default: ${DEFAULT-VALUE}).")
    int devices = 4;

    @Option(names = "--interval", paramLabel = "DURATION", description = "Sampling interval of the devices (default: ${DEFAULT-VALUE}).")
    Duration interval = Duration.ofSeconds(1);

    @Option(names = "--duration", paramLabel = "DURATION", description = "Stop after this long (default: run until stopped).")
    Duration duration;

    @Option(names = "--anomaly-every", paramLabel = "DURATION",
            description = "Inject a sensor anomaly (spike, drift, stuck sensor in turn) into one device after another this often, "
                    + "for the sensor-anomaly model to report; 0 for none (default: ${DEFAULT-VALUE}).")
    Duration anomalyEvery = Duration.ofSeconds(20);

    @Override
    public Integer call() throws Exception {
        if (devices < 0 || devices > 1000) {
            throw new IllegalArgumentException("--devices must be 0..1000, was " + devices);
        }
        GatewayConfig base = options.toConfig("127.0.0.1");
        // insights every minute (the gateway's default is every 1,000 samples or 15 min), so the demo shows them soon
        GatewayConfig config = base.withAnalytics(base.analytics().withInsights(60, Duration.ofMinutes(1)));
        writeDemoRules(config.analytics().rulesFile(config.dataDir()));
        Gateway gateway = Gateway.start(config);
        List<Agent> agents = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop(agents, gateway);
            stopped.countDown();
        }, "fl-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            for (int i = 0; i < devices; i++) {
                boolean mqtt = i % 2 == 0 && gateway.mqttAddress().isPresent() || gateway.coapAddress().isEmpty();
                String id = (mqtt ? "demo-mqtt-" : "demo-coap-") + (i / 2 + 1);
                URI uplink = URI.create(mqtt
                        ? Listeners.url("tcp", gateway.mqttAddress().orElseThrow())
                        : Listeners.url("coap", gateway.coapAddress().orElseThrow()));
                agents.add(Agent.start(AgentConfig.builder(id)
                        .uplink(uplink)
                        .samplingInterval(interval)
                        .dataDir(options.dataDir.resolve("agents").resolve(id))
                        .build()));
            }
        } catch (RuntimeException e) {
            stop(agents, gateway);
            Runtime.getRuntime().removeShutdownHook(hook);
            throw e;
        }
        String api = Listeners.url("http", gateway.httpAddress());
        System.out.println(Listeners.describe(gateway));
        System.out.println("Simulated devices: " + agents.stream().map(Agent::deviceId).toList());
        System.out.println();
        System.out.println("Try:");
        System.out.println("  curl '" + api + "/api/v1/data?metric=temperature&limit=5'");
        System.out.println("  curl  " + api + "/api/v1/devices");
        System.out.println("  curl  " + api + "/api/v1/alerts");
        System.out.println("  curl '" + api + "/api/v1/events?type=inference&limit=10'   # the sensor-anomaly model's results");
        System.out.println("  curl  " + api + "/api/v1/streams                           # per-stream statistics, score, trend");
        System.out.println("  curl  " + api + "/api/v1/rules                             # the demo's rules (file: "
                + config.analytics().rulesFile(config.dataDir()) + ", watched)");
        System.out.println("  curl '" + api + "/api/v1/insights?limit=5'                  # summaries with suggested actions");
        if (!agents.isEmpty()) {
            System.out.println("  curl -X POST -H 'Content-Type: application/json' -d '{\"name\":\"led\",\"args\":{\"on\":true}}' "
                    + api + "/api/v1/devices/" + agents.get(0).deviceId() + "/commands");
        }
        java.util.concurrent.ScheduledExecutorService injector = null;
        if (!agents.isEmpty() && !anomalyEvery.isZero()) {
            injector = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "fl-demo-anomalies");
                t.setDaemon(true);
                return t;
            });
            long[] n = {0};
            injector.scheduleAtFixedRate(() -> injectNext(agents, n[0]++), anomalyEvery.toMillis(), anomalyEvery.toMillis(),
                    TimeUnit.MILLISECONDS);
            System.out.println("A spike, a drift or a stuck sensor is injected into one device every " + anomalyEvery
                    + " (--anomaly-every).");
        }
        System.out.println("Stop with Ctrl-C.");
        if (duration != null) {
            if (!stopped.await(duration.toMillis(), TimeUnit.MILLISECONDS)) {
                if (injector != null) {
                    injector.shutdownNow();
                }
                Runtime.getRuntime().removeShutdownHook(hook);
                stop(agents, gateway);
                System.out.println("Demo finished after " + duration + ".");
            }
            return 0;
        }
        stopped.await();
        return 0;
    }

    /** The n-th demo anomaly: spike, drift, stuck in turn, each into the next device. */
    private void injectNext(List<Agent> agents, long n) {
        Agent agent = agents.get((int) (n % agents.size()));
        Anomaly anomaly = switch ((int) (n % 3)) {
            case 0 -> new Anomaly.Spike(8);
            // 0.3 Cel per sample for 20 samples
            case 1 -> new Anomaly.Drift(0.3 / (interval.toNanos() / 1e9), interval.multipliedBy(20));
            default -> new Anomaly.Stuck(interval.multipliedBy(40));
        };
        try {
            agent.simBoard().ifPresent(b -> b.analogInput(0).inject(anomaly));
            System.out.println("injected " + anomaly + " into " + agent.deviceId());
        } catch (RuntimeException e) {
            System.out.println("could not inject into " + agent.deviceId() + ": " + e.getMessage());
        }
    }

    private static void stop(List<Agent> agents, Gateway gateway) {
        for (Agent a : agents) {
            a.close();
        }
        gateway.close();
    }

    /**
     * On a data directory without a rules file, the demo starts with two rules that show the stream
     * analytics: the detectors' anomaly score and a sustained rising trend, both raising alerts.
     */
    private static void writeDemoRules(java.nio.file.Path file) throws java.io.IOException {
        if (java.nio.file.Files.exists(file)) {
            return;
        }
        java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
        java.nio.file.Files.writeString(file, """
                # Written by `fieldline demo` on first start. Edit it while the demo runs (it is watched)
                # or use /api/v1/rules; see docs/analytics.md#rules.
                rules:
                  - id: demo-temperature-anomaly
                    name: Temperature anomaly
                    metric: temperature
                    when: anomaly_score > 0.9
                    severity: warning
                    actions: [{alert: {}}]
                  - id: demo-temperature-rising
                    name: Temperature rising for two minutes
                    metric: temperature
                    when: trend is increasing
                    for: 2m
                    severity: info
                    actions: [{alert: {}}]
                """);
    }
}

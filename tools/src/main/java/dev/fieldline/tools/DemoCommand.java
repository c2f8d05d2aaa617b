package dev.fieldline.tools;

import dev.fieldline.agent.Agent;
import dev.fieldline.agent.AgentConfig;
import dev.fieldline.gateway.Gateway;
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

    @Override
    public Integer call() throws Exception {
        if (devices < 0 || devices > 1000) {
            throw new IllegalArgumentException("--devices must be 0..1000, was " + devices);
        }
        Gateway gateway = Gateway.start(options.toConfig("127.0.0.1"));
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
        if (!agents.isEmpty()) {
            System.out.println("  curl -X POST -H 'Content-Type: application/json' -d '{\"name\":\"led\",\"args\":{\"on\":true}}' "
                    + api + "/api/v1/devices/" + agents.get(0).deviceId() + "/commands");
        }
        System.out.println("Stop with Ctrl-C.");
        if (duration != null) {
            if (!stopped.await(duration.toMillis(), TimeUnit.MILLISECONDS)) {
                Runtime.getRuntime().removeShutdownHook(hook);
                stop(agents, gateway);
                System.out.println("Demo finished after " + duration + ".");
            }
            return 0;
        }
        stopped.await();
        return 0;
    }

    private static void stop(List<Agent> agents, Gateway gateway) {
        for (Agent a : agents) {
            a.close();
        }
        gateway.close();
    }
}

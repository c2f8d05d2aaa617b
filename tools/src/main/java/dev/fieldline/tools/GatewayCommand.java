package dev.fieldline.tools;

import dev.fieldline.gateway.Gateway;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "gateway", mixinStandardHelpOptions = true, subcommands = MosquittoConfigCommand.class,
        description = "Run the gateway: MQTT endpoint, CoAP server, storage, analytics and web API. Runs until stopped (Ctrl-C).")
final class GatewayCommand implements Callable<Integer> {

    @Mixin
    GatewayOptions options = new GatewayOptions();

    @Option(names = "--bind", paramLabel = "HOST", description = "Address to listen on (default: ${DEFAULT-VALUE}, all interfaces).")
    String bind = "0.0.0.0";

    @Override
    public Integer call() throws Exception {
        Gateway gateway = Gateway.start(options.toConfig(bind));
        Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "fl-gateway-shutdown"));
        System.out.println(Listeners.describe(gateway));
        Thread.currentThread().join();
        return 0;
    }
}

package dev.fieldline.tools;

import dev.fieldline.gateway.registry.DeviceRegistry;
import dev.fieldline.gateway.security.GatewayCa;
import dev.fieldline.gateway.security.MosquittoConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fieldline gateway mosquitto-config}: writes an external Mosquitto's TLS listener, ACL and CRL
 * from a gateway's registry and CA ({@link MosquittoConfig}). Run it again after disabling, enabling
 * or re-keying a device, then reload the broker (SIGHUP).
 */
@Command(name = "mosquitto-config", mixinStandardHelpOptions = true,
        description = {"Write the configuration of an external Mosquitto (2.0) that authenticates devices by client"
                + " certificates from the gateway CA and lets each publish and receive only its own topics.",
                "Files: mosquitto.conf, acl, ca.pem, broker.pem, broker.key (kept across runs), broker.pub, crl.pem.",
                "Run again after disabling, enabling or re-keying a device, then reload the broker: kill -HUP <pid>."})
final class MosquittoConfigCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    TokenCommand.DataDir dataDir = new TokenCommand.DataDir();

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the files (created if missing).")
    Path out;

    @Option(names = "--listener-port", paramLabel = "PORT", description = "The broker's TLS port (default: ${DEFAULT-VALUE}).")
    int listenerPort = 8883;

    @Option(names = "--bind", paramLabel = "HOST", description = "Address the listener binds (default: all).")
    String bind;

    @Option(names = "--name", paramLabel = "NAME", description = "A host name or address of the broker for its certificate"
            + " (repeatable; localhost and 127.0.0.1 are always in it).")
    List<String> names = new ArrayList<>();

    @Option(names = "--deploy-dir", paramLabel = "DIR", description = "Absolute directory the files will be in on the broker"
            + " host, as written into mosquitto.conf (default: --out).")
    Path deployDir;

    @Option(names = "--key-owner", paramLabel = "USER", description = "Give broker.key to this user (needs root), e.g."
            + " mosquitto: Mosquitto drops privileges before it reads its key.")
    String keyOwner;

    @Override
    public Integer call() {
        MosquittoConfig.Options options = new MosquittoConfig.Options(out, listenerPort, Optional.ofNullable(bind), names,
                Optional.ofNullable(deployDir), Optional.ofNullable(keyOwner));
        try (DeviceRegistry registry = dataDir.open(spec)) {
            GatewayCa ca = GatewayCa.loadOrCreate(dataDir.path, Clock.systemUTC());
            MosquittoConfig.Written w = MosquittoConfig.write(registry, ca, options);
            System.out.println(w.config().toAbsolutePath());
            System.err.println("wrote the Mosquitto configuration for " + w.devices() + " device(s); " + w.revoked().size()
                    + " certificate(s) revoked" + (w.revoked().isEmpty() ? "" : " (" + String.join(", ",
                    new java.util.TreeSet<>(w.revoked().values())) + ")"));
            System.err.println("the gateway connects with ssl://HOST:" + listenerPort + " as '" + GatewayCa.BROKER_GATEWAY_USER
                    + "'; broker.key must be readable by the broker's user" + (keyOwner == null ? " (chown mosquitto)" : "")
                    + "; reload a running broker with kill -HUP <pid>");
        }
        return 0;
    }
}

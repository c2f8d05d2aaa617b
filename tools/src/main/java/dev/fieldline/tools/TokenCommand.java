package dev.fieldline.tools;

import dev.fieldline.gateway.registry.DeviceRegistry;
import dev.fieldline.gateway.registry.EnrollmentToken;
import dev.fieldline.gateway.registry.IssuedApiToken;
import dev.fieldline.gateway.registry.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code fieldline token create|enroll}: API and enrollment tokens made directly in a gateway's
 * database (the gateway may be running: it finds a new API token on first use). The token is printed
 * once, on standard output, and stored only as a hash.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Create web API tokens and device enrollment tokens in a gateway's database.",
        subcommands = {TokenCommand.Create.class, TokenCommand.Enroll.class})
final class TokenCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code --data-dir DIR}: the gateway's data directory, which must exist. */
    static final class DataDir {
        @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "The gateway's data directory.")
        Path path;

        DeviceRegistry open(picocli.CommandLine.Model.CommandSpec spec) {
            if (!Files.isDirectory(path)) {
                throw new ParameterException(spec.commandLine(), "--data-dir " + path + " is not a directory");
            }
            return DeviceRegistry.open(path, Clock.systemUTC());
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a web API bearer token and print it (shown this once).")
    static final class Create implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        DataDir dataDir = new DataDir();

        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "viewer, operator or admin.")
        Role role;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "What the token is for (shown in listings).")
        String name;

        @Override
        public Integer call() {
            try (DeviceRegistry registry = dataDir.open(spec)) {
                IssuedApiToken t = registry.createApiToken(name, role);
                System.out.println(t.token());
                System.err.println("created " + role.code() + " token '" + name + "' (id " + t.info().id()
                        + "); it is shown only now");
            }
            return 0;
        }
    }

    @Command(name = "enroll", mixinStandardHelpOptions = true,
            description = "Issue a one-time device enrollment token and print it (shown this once).")
    static final class Enroll implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        DataDir dataDir = new DataDir();

        @Option(names = "--device", paramLabel = "ID", description = "Bind the token to this device id (default: any new device).")
        String device;

        @Option(names = "--ttl", paramLabel = "DURATION", description = "How long the token works (default: ${DEFAULT-VALUE}).")
        Duration ttl = DeviceRegistry.DEFAULT_ENROLLMENT_TTL;

        @Override
        public Integer call() {
            try (DeviceRegistry registry = dataDir.open(spec)) {
                EnrollmentToken t = registry.issueEnrollmentToken(Optional.ofNullable(device), ttl, "cli");
                System.out.println(t.token());
                System.err.println("enrollment token valid until " + t.expiresAt() + t.deviceId().map(d -> " for device " + d)
                        .orElse(" for any new device"));
            }
            return 0;
        }
    }
}

package dev.fieldline.tools.bench;

import java.time.Duration;
import picocli.CommandLine.Option;

/** The load options every {@code fieldline bench} command shares (a picocli mixin). */
final class LoadOptions {
    @Option(names = "--devices", description = "Simulated devices (default: ${DEFAULT-VALUE}).")
    int devices = 10;

    @Option(names = "--messages", description = "Messages per device (default: ${DEFAULT-VALUE}).")
    int messages = 5000;

    @Option(names = "--readings", description = "Readings per message (default: ${DEFAULT-VALUE}).")
    int readings = 1;

    @Option(names = "--inflight", description = "Unacknowledged messages per device (default: ${DEFAULT-VALUE}).")
    int inflight = 32;

    @Option(names = "--warmup", description = "Messages per device sent before each measured run, not counted (default: ${DEFAULT-VALUE}).")
    int warmup = 500;

    @Option(names = "--timeout", description = "Give up on a run after this long (default: ${DEFAULT-VALUE}).")
    Duration timeout = Duration.ofMinutes(3);

    LoadShape shape() {
        return new LoadShape(devices, inflight, timeout);
    }
}

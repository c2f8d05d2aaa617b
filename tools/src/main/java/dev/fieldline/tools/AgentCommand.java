package dev.fieldline.tools;

import dev.fieldline.agent.Agent;
import dev.fieldline.agent.AgentConfig;
import dev.fieldline.agent.SecurityConfig;
import dev.fieldline.boards.BoardProfile;
import dev.fieldline.boards.BoardProfiles;
import dev.fieldline.boards.WiringReport;
import dev.fieldline.config.ConfigException;
import dev.fieldline.protocol.PayloadFormat;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Run the device agent: sample the board's sensors, send telemetry over MQTT or CoAP, obey commands. Runs until stopped (Ctrl-C).")
final class AgentCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "Agent configuration (YAML); command-line options override it. --describe-config lists the keys.")
    Path configFile;

    @Option(names = "--board", paramLabel = "NAME_OR_FILE", description = "Board profile: a stock name (sim, rpi3b, rpi4b, rpi5, rpi-zero-2w, esp32-devkitc, esp32-s3-devkitc) or a YAML file (default: sim).")
    String board;

    @Option(names = "--check", description = "Check the board profile (--board, or the configuration's board) and exit: print its resolved wiring (pin, function, device; buses with addresses) and exit 0, or print every problem and exit 1. Needs no device id or uplink.")
    boolean check;

    @Option(names = "--device-id", paramLabel = "ID", description = "This device's id: 1-64 of A-Z a-z 0-9 . _ -, starting with a letter or digit.")
    String deviceId;

    @ArgGroup(exclusive = true)
    UplinkChoice uplink;

    static final class UplinkChoice {
        @Option(names = "--mqtt", paramLabel = "tcp://HOST:PORT", required = true, description = "Send over MQTT (QoS 1) to this gateway or broker.")
        URI mqtt;

        @Option(names = "--coap", paramLabel = "coap://HOST:PORT", required = true, description = "Send over CoAP (confirmable POST) to this gateway.")
        URI coap;

        URI uri() {
            return mqtt != null ? mqtt : coap;
        }
    }

    @Option(names = "--interval", paramLabel = "DURATION", description = "Sampling interval, e.g. 1s, 500ms (default: the board's).")
    Duration interval;

    @Option(names = "--format", description = "Payload format: ${COMPLETION-CANDIDATES} (default: cbor).")
    PayloadFormat format;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where the agent keeps its state (default: ./fieldline-agent-data/ID).")
    Path dataDir;

    @Option(names = "--sign", description = "Sign telemetry, events and command results with the device key (COSE_Sign1, ES256).")
    boolean sign;

    @Option(names = "--enroll-url", paramLabel = "URL", description = "Enroll at this gateway web API (e.g. http://gateway:8080) if the agent has no credentials yet.")
    URI enrollUrl;

    @Option(names = "--enroll-token-file", paramLabel = "FILE",
            description = "File holding the one-time enrollment token (or set FIELDLINE_ENROLL_TOKEN); kept off the command line, where other users could read it.")
    Path enrollTokenFile;

    @Option(names = "--burst", paramLabel = "N",
            description = "At start, take N samples back to back (a load test: they are journaled at once and sent as fast as the gateway commits), then sample normally.")
    int burst;

    @Option(names = "--describe-config", description = "Print the configuration keys with types, defaults and units, and exit.")
    boolean describeConfig;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (describeConfig) {
            System.out.println(AgentConfig.describe());
            return 0;
        }
        if (check) {
            return check();
        }
        Agent agent = Agent.start(config());
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "fl-agent-shutdown"));
        System.out.printf("Fieldline agent %s (boot %d) on board %s, sending to %s%n",
                agent.deviceId(), agent.bootId(), agent.profile().name(), agent.config().uplink());
        if (burst > 0) {
            long journaled = agent.burst(burst).join();
            System.out.println("burst: " + journaled + " samples journaled");
        }
        Thread.currentThread().join();
        return 0;
    }

    /** {@code --check}: the resolved wiring and 0, or every problem of the profile and 1. */
    private int check() {
        String name = board != null ? board : configFile != null ? AgentConfig.load(configFile).board() : AgentConfig.DEFAULT_BOARD;
        java.io.PrintWriter out = spec.commandLine().getOut();
        java.io.PrintWriter err = spec.commandLine().getErr();
        BoardProfile profile;
        try {
            profile = BoardProfiles.load(name);
        } catch (ConfigException e) {
            for (ConfigException problem : e.problems()) {
                err.println(problem.getMessage());
            }
            int n = e.problems().size();
            err.println("board profile " + name + ": " + n + (n == 1 ? " problem" : " problems"));
            err.flush();
            return 1;
        }
        out.print(WiringReport.describe(profile));
        int w = profile.warnings().size();
        out.println("board profile " + name + ": ok" + (w == 0 ? "" : " (" + w + (w == 1 ? " warning)" : " warnings)")));
        out.flush();
        return 0;
    }

    AgentConfig config() throws IOException {
        AgentConfig.Builder b;
        if (configFile != null) {
            AgentConfig fromFile = AgentConfig.load(configFile);
            if (deviceId != null && !deviceId.equals(fromFile.deviceId())) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--device-id " + deviceId
                        + " contradicts device-id " + fromFile.deviceId() + " in " + configFile + "; give one of them");
            }
            b = fromFile.toBuilder();
        } else {
            if (deviceId == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--device-id is required (or give --config FILE)");
            }
            if (uplink == null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "choose an uplink: --mqtt tcp://HOST:PORT or --coap coap://HOST:PORT (or give --config FILE)");
            }
            b = AgentConfig.builder(deviceId);
        }
        if (uplink != null) {
            b.uplink(uplink.uri());
        }
        if (board != null) {
            b.board(board);
        }
        if (interval != null) {
            b.samplingInterval(interval);
        }
        if (format != null) {
            b.payloadFormat(format);
        }
        if (dataDir != null) {
            b.dataDir(dataDir);
        }
        if (sign || enrollUrl != null) {
            SecurityConfig base = configFile != null ? AgentConfig.load(configFile).security() : SecurityConfig.NONE;
            Optional<URI> url = enrollUrl != null ? Optional.of(enrollUrl) : base.enrollUrl();
            Optional<String> token = base.enrollToken();
            if (enrollTokenFile != null) {
                token = Optional.of(Files.readString(enrollTokenFile, StandardCharsets.UTF_8).trim());
            } else if (System.getenv("FIELDLINE_ENROLL_TOKEN") != null) {
                token = Optional.of(System.getenv("FIELDLINE_ENROLL_TOKEN").trim());
            }
            b.security(new SecurityConfig(sign || base.sign(), url, token));
        }
        return b.build();
    }
}

package dev.fieldline.tools;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;

/**
 * Entry point of {@code fieldline-agent.jar}, the agent alone for devices: the same options as
 * {@code fieldline agent}, without the gateway, the web server, the native inference engines or the
 * benchmarks. A board profile that asks for a native engine fails start-up with a message naming the
 * engines this jar has.
 */
public final class AgentMain {

    private AgentMain() {}

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String... args) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        boolean verbose = rest.remove("-v") | rest.remove("--verbose");
        Logging.configure(verbose);
        return new CommandLine(new AgentCommand())
                .setCommandName("fieldline-agent")
                .registerConverter(java.time.Duration.class, new DurationConverter())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(new UserErrorHandler())
                .execute(rest.toArray(String[]::new));
    }
}

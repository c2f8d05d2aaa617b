package dev.fieldline.tools;

import dev.fieldline.tools.analytics.AnalyticsCommand;
import dev.fieldline.tools.bench.BenchCommand;
import dev.fieldline.tools.fl.FlCommand;
import dev.fieldline.tools.model.ModelCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code fieldline} command line. */
@Command(
        name = "fieldline",
        mixinStandardHelpOptions = true,
        versionProvider = Fieldline.Version.class,
        description = "Fieldline: an embedded-first IoT edge runtime (agent, gateway, tools).",
        subcommands = {
            GatewayCommand.class,
            AgentCommand.class,
            DemoCommand.class,
            BenchCommand.class,
            ModelCommand.class,
            AnalyticsCommand.class,
            FlCommand.class,
            TokenCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Fieldline implements Runnable {

    @Option(names = {"-v", "--verbose"}, description = "Log at DEBUG level.", scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit code (for tests). */
    public static int execute(String... args) {
        Logging.configure(java.util.Arrays.asList(args).contains("-v") || java.util.Arrays.asList(args).contains("--verbose"));
        return new CommandLine(new Fieldline())
                .registerConverter(java.time.Duration.class, new DurationConverter())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(new UserErrorHandler())
                .execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Fieldline.class.getPackage().getImplementationVersion();
            return new String[] {"fieldline " + (v == null ? "(development build)" : v)};
        }
    }
}

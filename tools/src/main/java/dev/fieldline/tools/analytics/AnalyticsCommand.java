package dev.fieldline.tools.analytics;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "analytics", mixinStandardHelpOptions = true,
        description = "Anomaly detectors on NAB-format series: score a series, run the NAB benchmark, list detectors.",
        subcommands = {RunCommand.class, NabCommand.class, DetectorsCommand.class})
public final class AnalyticsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}

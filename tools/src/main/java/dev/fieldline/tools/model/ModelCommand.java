package dev.fieldline.tools.model;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Inspect and run TensorFlow Lite models on the inference engines.",
        subcommands = {InspectCommand.class, RunCommand.class, TrainSensorCommand.class})
public final class ModelCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}

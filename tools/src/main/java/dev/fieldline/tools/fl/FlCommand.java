package dev.fieldline.tools.fl;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "fl", mixinStandardHelpOptions = true,
        description = "Federated learning on Fashion-MNIST in one process: simulate rounds with the real client and "
                + "server code, or train the same model centrally for comparison.",
        subcommands = {SimulateCommand.class, CentralizedCommand.class})
public final class FlCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}

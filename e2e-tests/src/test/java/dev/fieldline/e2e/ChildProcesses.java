package dev.fieldline.e2e;

import dev.fieldline.testsupport.PeerProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the fieldline CLI in a child JVM (same classpath as the test), so a test can SIGKILL it. */
final class ChildProcesses {
    private ChildProcesses() {
    }

    static PeerProcess fieldline(String name, Path workDir, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.fieldline.tools.Fieldline");
        command.addAll(List.of(args));
        return PeerProcess.start(name, command, workDir);
    }

    /** SIGKILL: no shutdown hooks, no flush, like pulling the plug on the process. */
    static void kill(PeerProcess process) {
        process.process().destroyForcibly();
        try {
            process.process().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

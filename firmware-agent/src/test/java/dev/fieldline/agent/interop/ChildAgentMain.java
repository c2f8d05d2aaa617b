package dev.fieldline.agent.interop;

import dev.fieldline.agent.Agent;
import dev.fieldline.agent.AgentConfig;
import java.nio.file.Path;
import java.time.Duration;

/** Runs an agent in a child JVM so a test can kill it without a clean MQTT DISCONNECT. */
public final class ChildAgentMain {
    private ChildAgentMain() {
    }

    public static void main(String[] args) throws Exception {
        AgentConfig config = AgentConfig.builder(args[0]).uplink(args[1]).dataDir(Path.of(args[2]))
                .samplingInterval(Duration.ofMillis(200)).build();
        Agent agent = Agent.start(config);
        System.out.println("READY boot " + agent.bootId());
        System.out.flush();
        Thread.currentThread().join();
    }
}

package dev.fieldline.agent.interop;

import java.util.List;
import java.util.stream.Collectors;

/** Live threads whose names mention a device id (the agent's own and Paho's, which use the client id). */
final class Threads {
    private Threads() {
    }

    static List<String> mentioning(String deviceId) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.contains(deviceId))
                .collect(Collectors.toList());
    }
}

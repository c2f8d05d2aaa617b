package dev.fieldline.agent.internal;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/** Single-thread schedulers with a given thread name (daemon, so a forgotten close cannot hang the JVM). */
public final class NamedThreads {
    private NamedThreads() {
    }

    public static ScheduledExecutorService scheduler(String name) {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = Executors.defaultThreadFactory().newThread(r);
            t.setName(name);
            t.setDaemon(true);
            return t;
        });
        s.setRemoveOnCancelPolicy(true);
        s.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return s;
    }
}

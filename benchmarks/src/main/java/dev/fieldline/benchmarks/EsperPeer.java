package dev.fieldline.benchmarks;

import com.espertech.esper.common.client.EPCompiled;
import com.espertech.esper.common.client.EventSender;
import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.compiler.client.CompilerArguments;
import com.espertech.esper.compiler.client.EPCompileException;
import com.espertech.esper.compiler.client.EPCompilerProvider;
import com.espertech.esper.runtime.client.EPDeployException;
import com.espertech.esper.runtime.client.EPDeployment;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPRuntimeProvider;
import com.espertech.esper.runtime.client.EPStatement;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The peer: Esper 8 with the statement equivalent to our z-score detector, a per-key sliding window
 * of the last {@code window} values, their mean and sample standard deviation, and an output row
 * whenever a value lies more than 3 standard deviations from its window's mean. Events are sent on
 * the calling thread (Esper's default; its internal timer is off, nothing here uses time).
 *
 * <p>Two formulations, as Esper's documentation offers them: {@link Statement#GROUPWIN}, one
 * statement over {@code #groupwin(key)#length(N)} grouped by key, and {@link Statement#CONTEXT}, a
 * context partitioned by key with a plain {@code #length(N)} window in each partition.
 */
public final class EsperPeer implements AutoCloseable {
    /** The statement's formulation. */
    public enum Statement {
        GROUPWIN, CONTEXT;

        String epl(int window) {
            String select = "select key, value, avg(value) as mean, stddev(value) as sd ";
            String having = "having Math.abs(value - avg(value)) > 3 * stddev(value)";
            return switch (this) {
                case GROUPWIN -> "@name('alerts') " + select
                        + "from EsperReading#groupwin(key)#length(" + window + ") group by key " + having;
                case CONTEXT -> "create context PerKey partition by key from EsperReading;\n"
                        + "@name('alerts') context PerKey " + select
                        + "from EsperReading#length(" + window + ") " + having;
            };
        }
    }

    private static final AtomicInteger RUNTIMES = new AtomicInteger();

    private final EPRuntime runtime;
    private final EventSender sender;
    private long outputs;

    public EsperPeer(Statement statement, int window) {
        if (window < 2) {
            throw new IllegalArgumentException("window must be >= 2, was " + window);
        }
        Configuration config = new Configuration();
        config.getCommon().addEventType(EsperReading.class);
        config.getRuntime().getThreading().setInternalTimerEnabled(false);
        EPCompiled compiled;
        try {
            compiled = EPCompilerProvider.getCompiler().compile(statement.epl(window), new CompilerArguments(config));
        } catch (EPCompileException e) {
            throw new IllegalStateException("Esper refused the statement: " + e.getMessage(), e);
        }
        String uri = String.format(Locale.ROOT, "fieldline-bench-%d", RUNTIMES.incrementAndGet());
        runtime = EPRuntimeProvider.getRuntime(uri, config);
        try {
            EPDeployment deployment = runtime.getDeploymentService().deploy(compiled);
            EPStatement alerts = runtime.getDeploymentService().getStatement(deployment.getDeploymentId(), "alerts");
            alerts.addListener((newEvents, oldEvents, s, rt) -> outputs += newEvents == null ? 0 : newEvents.length);
        } catch (EPDeployException | RuntimeException e) {
            runtime.destroy();
            throw new IllegalStateException("Esper could not deploy the statement: " + e.getMessage(), e);
        }
        sender = runtime.getEventService().getEventSender(EsperReading.class.getSimpleName());
    }

    /** Processes one reading on this thread; its output rows, if any, are counted before this returns. */
    public void send(EsperReading reading) {
        sender.sendEvent(reading);
    }

    /** Output rows (threshold crossings) so far. */
    public long outputs() {
        return outputs;
    }

    @Override
    public void close() {
        runtime.destroy();
    }
}

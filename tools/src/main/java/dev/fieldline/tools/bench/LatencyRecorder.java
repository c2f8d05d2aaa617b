package dev.fieldline.tools.bench;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;

/** Latencies (nanoseconds) from many threads, and the first-send/last-completion span for throughput. */
final class LatencyRecorder {
    private final Recorder recorder = new Recorder(TimeUnit.MINUTES.toNanos(5), 3);
    private final java.util.concurrent.atomic.LongAccumulator last = new java.util.concurrent.atomic.LongAccumulator(Math::max, Long.MIN_VALUE);
    private final java.util.concurrent.atomic.LongAdder count = new java.util.concurrent.atomic.LongAdder();
    private volatile long start = Long.MIN_VALUE;

    void started(long nanos) {
        if (start == Long.MIN_VALUE) {
            start = nanos;
        }
    }

    void record(long sentNanos, long doneNanos) {
        recorder.recordValue(Math.max(0, doneNanos - sentNanos));
        last.accumulate(doneNanos);
        count.increment();
    }

    long count() {
        return count.sum();
    }

    Result result(String name, long expected) {
        Histogram h = recorder.getIntervalHistogram();
        double seconds = (last.get() - start) / 1e9;
        long n = count.sum();
        return new Result(name, expected, n, seconds, n / seconds,
                h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(90) / 1e6, h.getValueAtPercentile(99) / 1e6,
                h.getMaxValue() / 1e6);
    }

    record Result(String name, long expected, long completed, double seconds, double perSecond,
            double p50Millis, double p90Millis, double p99Millis, double maxMillis) {
        String row() {
            return String.format(java.util.Locale.ROOT, "%-34s %9d %9d %8.2f %11.0f %8.2f %8.2f %8.2f %8.2f",
                    name, expected, completed, seconds, perSecond, p50Millis, p90Millis, p99Millis, maxMillis);
        }

        static String header() {
            return String.format(java.util.Locale.ROOT, "%-34s %9s %9s %8s %11s %8s %8s %8s %8s",
                    "run", "sent", "done", "seconds", "msg/s", "p50 ms", "p90 ms", "p99 ms", "max ms");
        }
    }
}

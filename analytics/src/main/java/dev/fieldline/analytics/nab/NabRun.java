package dev.fieldline.analytics.nab;

import dev.fieldline.analytics.detect.Detector;
import dev.fieldline.analytics.detect.DetectorFactory;
import dev.fieldline.analytics.nab.NabCorpus.LabelledSeries;
import dev.fieldline.analytics.nab.NabCorpus.Profile;
import dev.fieldline.analytics.nab.NabScorer.ProfileResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a detector over every series of a corpus (a fresh detector per series, rows in time order, no
 * look-ahead) and scores the output with every profile.
 *
 * @param results one per profile, in the corpus's profile order
 * @param detection wall time of the detection step (all files, all threads)
 */
public record NabRun(List<ProfileResult> results, Duration detection) {
    public NabRun {
        results = List.copyOf(results);
    }

    /** Runs and scores on {@code threads} threads (files are shared out; each file runs on one thread). */
    public static NabRun run(NabCorpus corpus, DetectorFactory factory, int threads) {
        long t0 = System.nanoTime();
        List<double[]> scores = detect(corpus.files(), factory, threads);
        Duration detection = Duration.ofNanos(System.nanoTime() - t0);
        List<ProfileResult> results = new ArrayList<>();
        for (Profile p : corpus.profiles()) {
            results.add(NabScorer.score(corpus.files(), scores, p));
        }
        return new NabRun(results, detection);
    }

    /** The result for one profile. */
    public ProfileResult result(String profile) {
        return results.stream().filter(r -> r.profile().name().equals(profile)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no profile " + profile));
    }

    /** Each file's anomaly scores, one per row, by a fresh detector per file. */
    public static List<double[]> detect(List<LabelledSeries> files, DetectorFactory factory, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "nab-detect-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<double[]>> futures = new ArrayList<>();
            for (LabelledSeries f : files) {
                futures.add(pool.submit(() -> scores(f.series(), factory.create())));
            }
            List<double[]> out = new ArrayList<>();
            for (Future<double[]> fu : futures) {
                out.add(fu.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while detecting", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Feeds a series through a detector; refuses a score outside [0, 1]. */
    public static double[] scores(Series s, Detector d) {
        double[] out = new double[s.size()];
        long time = Long.MIN_VALUE;
        for (int i = 0; i < out.length; i++) {
            time = SeriesCsv.monotonic(time, s.timesMillis()[i]);
            double score = d.update(time, s.values()[i]);
            if (!(score >= 0 && score <= 1)) {
                throw new IllegalStateException("detector returned " + score + " at row " + i + "; scores must be in [0, 1]");
            }
            out[i] = score;
        }
        return out;
    }
}

package dev.fieldline.gateway.analytics;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The gateway's stream analytics and rule engine settings.
 *
 * @param rulesFile the rules file; absent means {@code {dataDir}/rules.yaml}
 * @param idleAfter a stream not heard from this long (wall clock) is forgotten: statistics, detector and rule state
 * @param insightEverySamples a stream gets a new insight after at most this many samples ...
 * @param insightEvery ... or this much time since its last insight, whichever comes first (and only with new samples)
 * @param cloudFile the cloud sync's YAML file ({@link dev.fieldline.gateway.cloud.CloudSyncConfig#load}); absent: no cloud uplink
 */
public record StreamAnalyticsConfig(Optional<Path> rulesFile, Duration idleAfter, int insightEverySamples, Duration insightEvery,
        Optional<Path> cloudFile) {
    public static final Duration DEFAULT_IDLE_AFTER = Duration.ofHours(1);
    public static final int DEFAULT_INSIGHT_SAMPLES = 1_000;
    public static final Duration DEFAULT_INSIGHT_EVERY = Duration.ofMinutes(15);
    public static final StreamAnalyticsConfig DEFAULT = new StreamAnalyticsConfig(Optional.empty(), DEFAULT_IDLE_AFTER,
            DEFAULT_INSIGHT_SAMPLES, DEFAULT_INSIGHT_EVERY, Optional.empty());

    public StreamAnalyticsConfig {
        if (rulesFile == null) {
            throw new IllegalArgumentException("rulesFile must not be null (use Optional.empty())");
        }
        if (idleAfter == null || idleAfter.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("idleAfter must be at least 1 s, was " + idleAfter);
        }
        if (insightEverySamples < 1) {
            throw new IllegalArgumentException("insightEverySamples must be >= 1, was " + insightEverySamples);
        }
        if (insightEvery == null || insightEvery.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("insightEvery must be at least 1 s, was " + insightEvery);
        }
        if (cloudFile == null) {
            throw new IllegalArgumentException("cloudFile must not be null (use Optional.empty())");
        }
    }

    /** The rules file for a gateway with this data directory. */
    public Path rulesFile(Path dataDir) {
        return rulesFile.orElseGet(() -> dataDir.resolve("rules.yaml"));
    }

    public StreamAnalyticsConfig withRulesFile(Path file) {
        return new StreamAnalyticsConfig(Optional.of(file), idleAfter, insightEverySamples, insightEvery, cloudFile);
    }

    public StreamAnalyticsConfig withIdleAfter(Duration d) {
        return new StreamAnalyticsConfig(rulesFile, d, insightEverySamples, insightEvery, cloudFile);
    }

    public StreamAnalyticsConfig withInsights(int everySamples, Duration every) {
        return new StreamAnalyticsConfig(rulesFile, idleAfter, everySamples, every, cloudFile);
    }

    /** Forwards selected data upstream as the YAML file says (see docs/analytics.md#cloud-sync). */
    public StreamAnalyticsConfig withCloudFile(Path file) {
        return new StreamAnalyticsConfig(rulesFile, idleAfter, insightEverySamples, insightEvery, Optional.of(file));
    }
}

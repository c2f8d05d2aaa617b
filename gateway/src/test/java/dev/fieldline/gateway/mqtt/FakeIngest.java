package dev.fieldline.gateway.mqtt;

import dev.fieldline.gateway.ingest.Ingest;
import dev.fieldline.gateway.ingest.IngestResult;
import dev.fieldline.gateway.ingest.Uplink;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An in-memory {@link Ingest} for transport tests: records every uplink, answers with a configurable
 * result, or holds the futures so a test decides when (and in which order) they complete.
 */
public final class FakeIngest implements Ingest {
    /** A submitted uplink whose result the test has not given yet. */
    public record Held(Uplink uplink, CompletableFuture<IngestResult> future) {
        public void complete(IngestResult result) {
            future.complete(result);
        }

        public void store() {
            complete(stored());
        }
    }

    private final List<Uplink> uplinks = new CopyOnWriteArrayList<>();
    private final List<Held> held = new CopyOnWriteArrayList<>();
    private volatile Function<Uplink, IngestResult> answer = u -> stored();
    private volatile boolean holding;

    public static IngestResult stored() {
        return new IngestResult.Stored(Optional.empty(), 1);
    }

    @Override
    public CompletableFuture<IngestResult> submit(Uplink uplink) {
        uplinks.add(uplink);
        if (holding) {
            CompletableFuture<IngestResult> f = new CompletableFuture<>();
            held.add(new Held(uplink, f));
            return f;
        }
        return CompletableFuture.completedFuture(answer.apply(uplink));
    }

    /** Answer every later submit with this function (completing at once). */
    public FakeIngest answer(Function<Uplink, IngestResult> answer) {
        this.answer = answer;
        this.holding = false;
        return this;
    }

    /** Hold every later submit until the test completes it through {@link #held()}. */
    public FakeIngest hold() {
        this.holding = true;
        return this;
    }

    public List<Uplink> uplinks() {
        return List.copyOf(uplinks);
    }

    public List<Held> held() {
        return List.copyOf(held);
    }

    /** The payloads received so far, as UTF-8 text. */
    public List<String> texts() {
        return uplinks.stream().map(u -> new String(u.payload(), StandardCharsets.UTF_8)).toList();
    }
}

package dev.fieldline.gateway.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.gateway.cloud.CloudOutbox.Appended;
import dev.fieldline.gateway.cloud.CloudOutbox.Batch;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox on a real SQLite file: order, bounds, restart, pinned batches, dead letters. */
class CloudOutboxTest {
    @TempDir
    Path dir;

    private static List<CloudRecord> records(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(CloudSyncHttpTest::record).toList();
    }

    private static List<String> ids(Batch b) {
        return b.entries().stream().map(CloudOutbox.Entry::recordId).toList();
    }

    @Test
    void recordsComeOutInOrderAndSurviveAReopen() {
        try (CloudOutbox o = CloudOutbox.open(dir, 100, 1 << 20)) {
            assertThat(o.append(records(1, 5))).containsOnly(Appended.STORED);
        }
        try (CloudOutbox o = CloudOutbox.open(dir, 100, 1 << 20)) {
            assertThat(o.pending()).isEqualTo(5);
            Batch b = o.next(3, Long.MAX_VALUE).orElseThrow();
            assertThat(ids(b)).containsExactlyElementsOf(CloudSyncHttpTest.ids(1, 3));
            assertThat(b.entries().get(0).json()).contains("\"id\":\"insight/dev-1/1\"").contains("\"body\":{\"n\":1}");
            o.delete(b.last());
            assertThat(ids(o.next(10, Long.MAX_VALUE).orElseThrow())).containsExactlyElementsOf(CloudSyncHttpTest.ids(4, 5));
        }
    }

    @Test
    void theBatchBeingSentIsPinnedAcrossNewRecordsAndRestarts() {
        String id;
        try (CloudOutbox o = CloudOutbox.open(dir, 100, 1 << 20)) {
            o.append(records(1, 2));
            Batch b = o.next(10, Long.MAX_VALUE).orElseThrow();
            id = b.id();
            o.append(records(3, 4));
            assertThat(o.next(10, Long.MAX_VALUE).orElseThrow().id()).isEqualTo(id);
        }
        try (CloudOutbox o = CloudOutbox.open(dir, 100, 1 << 20)) {
            Batch again = o.next(10, Long.MAX_VALUE).orElseThrow();
            assertThat(again.id()).isEqualTo(id).endsWith(":1-2");
            assertThat(ids(again)).containsExactlyElementsOf(CloudSyncHttpTest.ids(1, 2));
            o.delete(1);
            assertThat(ids(o.next(10, Long.MAX_VALUE).orElseThrow())).as("the rest of the pinned batch")
                    .containsExactly("insight/dev-1/2");
            o.delete(2);
            assertThat(o.next(10, Long.MAX_VALUE).orElseThrow().id()).endsWith(":3-4");
        }
    }

    @Test
    void sequenceNumbersAreNeverReusedSoBatchIdsStayUnique() {
        try (CloudOutbox o = CloudOutbox.open(dir, 100, 1 << 20)) {
            o.append(records(1, 3));
            o.delete(o.next(10, Long.MAX_VALUE).orElseThrow().last());
            assertThat(o.pending()).isZero();
        }
        try (CloudOutbox o = CloudOutbox.open(dir, 100, 1 << 20)) {
            o.append(records(4, 4));
            assertThat(o.next(10, Long.MAX_VALUE).orElseThrow().id()).endsWith(":4-4");
        }
    }

    @Test
    void boundedByRecordsAndBytes() {
        try (CloudOutbox o = CloudOutbox.open(dir, 3, 1 << 20)) {
            assertThat(o.append(records(1, 4))).containsExactly(Appended.STORED, Appended.STORED, Appended.STORED,
                    Appended.FULL);
            assertThat(o.append(records(2, 2))).containsExactly(Appended.ALREADY_PENDING);
        }
        try (CloudOutbox o = CloudOutbox.open(dir.resolve("b"), 1000, 250)) {
            // each record's JSON is 105 bytes: two fit in 250
            assertThat(o.append(records(1, 3))).containsExactly(Appended.STORED, Appended.STORED, Appended.FULL);
            assertThat(o.pendingBytes()).isEqualTo(210);
        }
        try (CloudOutbox o = CloudOutbox.open(dir.resolve("c"), 1000, 1 << 20)) {
            CloudRecord huge = new CloudRecord("insight", "big", "dev-1", Instant.EPOCH,
                    Map.of("s", "x".repeat(CloudSyncConfig.MAX_RECORD_BYTES)));
            assertThat(o.append(List.of(huge))).containsExactly(Appended.TOO_LARGE);
        }
    }

    @Test
    void aBatchIsCutByBytesButHoldsAtLeastOneRecord() {
        try (CloudOutbox o = CloudOutbox.open(dir, 100, 1 << 20)) {
            o.append(records(1, 5));
            assertThat(o.next(100, 1).orElseThrow().entries()).hasSize(1);
            o.delete(1);
            assertThat(o.next(100, 250).orElseThrow().entries()).hasSize(2);
        }
    }

    @Test
    void parkedRecordsBecomeVisibleDeadLettersKeptWithinTheBound() {
        try (CloudOutbox o = CloudOutbox.open(dir, 3, 1 << 20)) {
            o.append(records(1, 3));
            Batch b = o.next(2, Long.MAX_VALUE).orElseThrow();
            assertThat(o.park(b.first(), b.last(), b.id(), "HTTP 400: bad", Instant.EPOCH)).isZero();
            assertThat(o.pending()).isEqualTo(1);
            assertThat(o.deadLetterCount()).isEqualTo(2);
            assertThat(o.deadLetters(10)).extracting(CloudOutbox.DeadLetter::recordId)
                    .containsExactly("insight/dev-1/2", "insight/dev-1/1");
            assertThat(o.deadLetters(1).get(0).batchId()).isEqualTo(b.id());
            o.append(records(4, 5));
            Batch rest = o.next(10, Long.MAX_VALUE).orElseThrow();
            assertThat(o.park(rest.first(), rest.last(), rest.id(), "HTTP 422", Instant.EPOCH)).as("oldest dropped").isEqualTo(2);
            assertThat(o.deadLetterCount()).isEqualTo(3);
        }
        try (CloudOutbox o = CloudOutbox.open(dir, 3, 1 << 20)) {
            assertThat(o.deadLetterCount()).isEqualTo(3);
            assertThat(o.pending()).isZero();
        }
    }
}

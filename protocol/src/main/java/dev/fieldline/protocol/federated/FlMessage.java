package dev.fieldline.protocol.federated;

import dev.fieldline.protocol.DeviceIds;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

/**
 * The federated-learning messages (docs/protocol.md §10). Each is one CBOR or JSON map; binary fields
 * (weights, digests) are CBOR byte strings or base64url text in JSON. Encoded and decoded by {@link FlCodec}.
 */
public sealed interface FlMessage {

    /** The kind of this message (its topic suffix). */
    FlKind kind();

    /** Length of a SHA-256 digest. */
    int DIGEST_BYTES = 32;

    /**
     * Device → gateway on {@code fl/join}: the device can train {@code model}, whose flat weights hold
     * {@code size} values. Repeated while the device can take part; a device that stops sending it
     * (for longer than the gateway's join timeout) is no longer sampled.
     */
    record Join(String deviceId, String model, int size, Instant time) implements FlMessage {
        public Join {
            DeviceIds.require(deviceId, "deviceId");
            requireName(model, "model");
            if (size < 1) {
                throw new IllegalArgumentException("size must be >= 1, was " + size);
            }
        }

        @Override
        public FlKind kind() {
            return FlKind.JOIN;
        }
    }

    /**
     * Gateway → device on {@code fl/task}: train in round {@code round}, from global version {@code version}
     * of {@code model}, following {@code plan} (TrainingPlan's map), and upload before {@code deadline}.
     * The global weights are {@code size} bytes (float32 little-endian) with SHA-256 {@code digest},
     * fetched in chunks of {@code chunkSize} bytes.
     */
    record Task(int round, String model, int version, Map<String, Double> plan, Instant deadline, byte[] digest,
            int size, int chunkSize) implements FlMessage {
        public Task {
            requirePositive(round, "round");
            requireName(model, "model");
            if (version < 0) {
                throw new IllegalArgumentException("version must be >= 0, was " + version);
            }
            plan = Map.copyOf(plan);
            requireDigest(digest);
            requirePositive(size, "size");
            requirePositive(chunkSize, "chunkSize");
        }

        /** Number of chunks the weights come in. */
        public int chunks() {
            return (int) ((size + (long) chunkSize - 1) / chunkSize);
        }

        @Override
        public FlKind kind() {
            return FlKind.TASK;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Task t && round == t.round && model.equals(t.model) && version == t.version
                    && plan.equals(t.plan) && deadline.equals(t.deadline) && Arrays.equals(digest, t.digest)
                    && size == t.size && chunkSize == t.chunkSize;
        }

        @Override
        public int hashCode() {
            return round * 31 + Arrays.hashCode(digest);
        }

        @Override
        public String toString() {
            return "Task[round=" + round + ", model=" + model + ", version=" + version + ", plan=" + plan + ", deadline="
                    + deadline + ", digest=" + HexFormat.of().formatHex(digest) + ", size=" + size + ", chunkSize="
                    + chunkSize + "]";
        }
    }

    /** Device → gateway on {@code fl/fetch}: chunk {@code index} of global version {@code version}, please. */
    record Fetch(int version, int index) implements FlMessage {
        public Fetch {
            if (version < 0 || index < 0) {
                throw new IllegalArgumentException("version and index must be >= 0, were " + version + ", " + index);
            }
        }

        @Override
        public FlKind kind() {
            return FlKind.FETCH;
        }
    }

    /** Gateway → device on {@code fl/chunk}: chunk {@code index} of {@code count} of global version {@code version}. */
    record Chunk(int version, int index, int count, byte[] data) implements FlMessage {
        public Chunk {
            if (version < 0 || index < 0 || count < 1 || index >= count) {
                throw new IllegalArgumentException("need version >= 0 and 0 <= index < count, were " + version + ", "
                        + index + ", " + count);
            }
            data = data.clone();
        }

        @Override
        public FlKind kind() {
            return FlKind.CHUNK;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Chunk c && version == c.version && index == c.index && count == c.count
                    && Arrays.equals(data, c.data);
        }

        @Override
        public int hashCode() {
            return (version * 31 + index) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Chunk[version=" + version + ", index=" + index + ", count=" + count + ", " + data.length + " bytes]";
        }
    }

    /**
     * Device → gateway on {@code fl/update}: chunk {@code index} of {@code count} of the device's update
     * for {@code round}. The whole update (an {@link UpdateBody} in CBOR, {@code size} bytes, SHA-256
     * {@code digest}) is the concatenation of the chunks' data in index order.
     */
    record UpdateChunk(String deviceId, int round, int index, int count, int size, byte[] digest, byte[] data)
            implements FlMessage {
        public UpdateChunk {
            DeviceIds.require(deviceId, "deviceId");
            requirePositive(round, "round");
            if (index < 0 || count < 1 || index >= count) {
                throw new IllegalArgumentException("need 0 <= index < count, were " + index + ", " + count);
            }
            requirePositive(size, "size");
            requireDigest(digest);
            data = data.clone();
        }

        @Override
        public FlKind kind() {
            return FlKind.UPDATE;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof UpdateChunk c && deviceId.equals(c.deviceId) && round == c.round && index == c.index
                    && count == c.count && size == c.size && Arrays.equals(digest, c.digest) && Arrays.equals(data, c.data);
        }

        @Override
        public int hashCode() {
            return (round * 31 + index) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "UpdateChunk[" + deviceId + ", round=" + round + ", index=" + index + ", count=" + count + ", size="
                    + size + ", " + data.length + " bytes]";
        }
    }

    /**
     * Gateway → device on {@code fl/receipt}: what became of the device's update for {@code round}:
     * {@code status} is {@code accepted}, {@code rejected}, {@code late}, {@code duplicate},
     * {@code not_selected} or {@code no_round}; {@code reason} says why it was not accepted.
     */
    record Receipt(int round, String status, String reason) implements FlMessage {
        public Receipt {
            if (round < 0) {
                throw new IllegalArgumentException("round must be >= 0, was " + round);
            }
            requireName(status, "status");
        }

        public boolean accepted() {
            return status.equals("accepted");
        }

        @Override
        public FlKind kind() {
            return FlKind.RECEIPT;
        }
    }

    private static void requirePositive(int v, String name) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, was " + v);
        }
    }

    private static void requireName(String s, String name) {
        if (s == null || s.isEmpty() || s.length() > 64) {
            throw new IllegalArgumentException(name + " must be 1-64 characters");
        }
    }

    private static void requireDigest(byte[] digest) {
        if (digest == null || digest.length != DIGEST_BYTES) {
            throw new IllegalArgumentException("digest must be " + DIGEST_BYTES + " bytes (SHA-256)");
        }
    }
}

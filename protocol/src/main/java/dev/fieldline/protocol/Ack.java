package dev.fieldline.protocol;

import java.util.List;

/**
 * Gateway to device on {@code fl/v1/{deviceId}/ack} (docs/protocol.md §5.1): which messages of one
 * boot the gateway has durably committed. Every sequence number up to and including
 * {@code watermark} is committed, and so is every one inside {@code ranges}. The ranges lie above the
 * watermark, in ascending order, disjoint, and at most {@link #MAX_RANGES} of them; they let a device
 * forget messages above a gap that will never close (messages it dropped itself).
 *
 * @param deviceId the device the ack is for
 * @param bootId the boot the sequence numbers belong to
 * @param watermark every seq in {@code 1..watermark} is committed; 0 says nothing contiguous
 * @param ranges further committed sequence numbers, all above {@code watermark}
 */
public record Ack(String deviceId, long bootId, long watermark, List<Range> ranges) {
    /** Most ranges one ack carries; a gateway with more to say sends several acks. */
    public static final int MAX_RANGES = 64;

    /** An inclusive range of sequence numbers, {@code 1 <= first <= last}. */
    public record Range(long first, long last) {
        public Range {
            if (first < 1 || last < first) {
                throw new IllegalArgumentException("range must have 1 <= first <= last, was [" + first + ", " + last + "]");
            }
        }

        public boolean contains(long seq) {
            return seq >= first && seq <= last;
        }
    }

    public Ack {
        DeviceIds.require(deviceId, "deviceId");
        if (bootId < 0) {
            throw new IllegalArgumentException("bootId must be >= 0, was " + bootId);
        }
        if (watermark < 0) {
            throw new IllegalArgumentException("watermark must be >= 0, was " + watermark);
        }
        if (ranges == null) {
            throw new IllegalArgumentException("ranges must not be null");
        }
        ranges = List.copyOf(ranges);
        if (ranges.size() > MAX_RANGES) {
            throw new IllegalArgumentException("ranges must be at most " + MAX_RANGES + ", was " + ranges.size());
        }
        long above = watermark;
        for (Range r : ranges) {
            if (r.first() <= above) {
                throw new IllegalArgumentException("ranges must be ascending, disjoint and above the watermark "
                        + watermark + ": " + ranges);
            }
            above = r.last();
        }
    }

    /** An ack with a watermark only. */
    public static Ack through(String deviceId, long bootId, long watermark) {
        return new Ack(deviceId, bootId, watermark, List.of());
    }

    /** True if this ack says {@code seq} (of {@link #bootId}) is committed. */
    public boolean covers(long seq) {
        if (seq <= watermark) {
            return seq >= 1;
        }
        int lo = 0;
        int hi = ranges.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Range r = ranges.get(mid);
            if (seq < r.first()) {
                hi = mid - 1;
            } else if (seq > r.last()) {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /** The highest sequence number this ack covers (the watermark when there are no ranges). */
    public long highest() {
        return ranges.isEmpty() ? watermark : ranges.get(ranges.size() - 1).last();
    }
}

package dev.fieldline.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.DecodeLimits;
import dev.fieldline.protocol.DeviceState;
import dev.fieldline.protocol.MessageCodec;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Status;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /api/v1/status} bodies, in either of two forms, turned into a status uplink:
 * <ul>
 *   <li>the seed's form: {@code {"device": "dev-1", "state": "online", "bootId": 3, "uptime": 12.5,
 *       "heap": 1048576, "samples": 40, "counters": {"sent": 3}, "time": "2025-03-01T12:00:00Z"}}
 *       (only {@code device} and {@code state} required; {@code uptime} in seconds, {@code time}
 *       ISO-8601 or epoch milliseconds, default now); re-encoded as the protocol's status map;</li>
 *   <li>the protocol's own status map ({@code {"dev": ..., "bid": ..., "t": ..., "state": ...}}, JSON
 *       or CBOR), passed on as it came.</li>
 * </ul>
 */
final class StatusRequests {
    record Parsed(String deviceId, byte[] payload, PayloadFormat format) {
    }

    private final MessageCodec codec;
    private final Clock clock;

    StatusRequests(DecodeLimits limits, Clock clock) {
        this.codec = new MessageCodec(limits);
        this.clock = clock;
    }

    Parsed parse(JsonNode tree, byte[] body, PayloadFormat format) {
        if (tree == null || !tree.isObject()) {
            throw wrong(DecodeError.MALFORMED, "the body must be an object");
        }
        if (tree.has("dev")) {
            return new Parsed(device(tree.get("dev"), "dev"), body, format);
        }
        JsonNode dev = tree.get("device");
        if (dev == null) {
            throw wrong(DecodeError.MISSING_FIELD, "device is required");
        }
        String device = device(dev, "device");
        JsonNode s = tree.get("state");
        if (s == null) {
            throw wrong(DecodeError.MISSING_FIELD, "state is required");
        }
        DeviceState state = DeviceState.fromCode(s.asText()).filter(x -> s.isTextual())
                .orElseThrow(() -> wrong(DecodeError.WRONG_TYPE, "state must be \"online\" or \"offline\""));
        double uptime = number(tree, "uptime", 0);
        Map<String, Long> counters = new LinkedHashMap<>();
        JsonNode c = tree.get("counters");
        if (c != null) {
            if (!c.isObject()) {
                throw wrong(DecodeError.WRONG_TYPE, "counters must be an object of non-negative integers");
            }
            for (Map.Entry<String, JsonNode> e : c.properties()) {
                counters.put(e.getKey(), integer(e.getValue(), "counters." + ApiParams.printable(e.getKey())));
            }
        }
        Status status;
        try {
            status = new Status(device, optionalInteger(tree, "bootId"), time(tree.get("time")), state,
                    Duration.ofMillis(Math.round(uptime * 1000)), optionalInteger(tree, "heap"), optionalInteger(tree, "samples"),
                    counters);
        } catch (IllegalArgumentException e) {
            throw wrong(DecodeError.WRONG_TYPE, e.getMessage());
        }
        return new Parsed(device, codec.encode(status, PayloadFormat.JSON), PayloadFormat.JSON);
    }

    private static String device(JsonNode v, String field) {
        if (!v.isTextual()) {
            throw wrong(DecodeError.WRONG_TYPE, field + " must be a string");
        }
        return ApiParams.requireDevice(v.textValue(), field);
    }

    private static double number(JsonNode tree, String field, double otherwise) {
        JsonNode v = tree.get(field);
        if (v == null) {
            return otherwise;
        }
        if (!v.isNumber() || v.doubleValue() < 0 || !Double.isFinite(v.doubleValue())) {
            throw wrong(DecodeError.WRONG_TYPE, field + " must be a non-negative number");
        }
        return v.doubleValue();
    }

    private static long optionalInteger(JsonNode tree, String field) {
        JsonNode v = tree.get(field);
        return v == null ? 0 : integer(v, field);
    }

    private static long integer(JsonNode v, String field) {
        if (!v.canConvertToLong() || !v.isIntegralNumber() || v.longValue() < 0) {
            throw wrong(DecodeError.WRONG_TYPE, field + " must be a non-negative integer");
        }
        return v.longValue();
    }

    private Instant time(JsonNode v) {
        if (v == null) {
            return clock.instant();
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return Instant.ofEpochMilli(v.longValue());
        }
        if (v.isTextual()) {
            try {
                return OffsetDateTime.parse(v.textValue()).toInstant();
            } catch (DateTimeParseException e) {
                // refused below
            }
        }
        throw wrong(DecodeError.WRONG_TYPE, "time must be ISO-8601 text or epoch milliseconds");
    }

    private static ApiError wrong(DecodeError reason, String message) {
        return ApiError.badRequest(reason.code(), message);
    }
}

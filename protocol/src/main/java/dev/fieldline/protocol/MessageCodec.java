package dev.fieldline.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.fieldline.protocol.internal.Names;
import dev.fieldline.protocol.internal.Parsers;
import dev.fieldline.protocol.internal.StrictReader;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Event, status, command and command-result messages: flat CBOR or JSON maps with text keys
 * (docs/protocol.md). Uplink maps share a header: {@code dev} (device id), {@code bid} (boot id),
 * {@code seq} (sequence number; not on status), {@code t} (seconds since the epoch). Unknown keys
 * are ignored unless they end in '_'. Thread-safe.
 */
public final class MessageCodec {
    private final Parsers parsers;
    private final DecodeLimits limits;

    public MessageCodec() {
        this(DecodeLimits.DEFAULT);
    }

    public MessageCodec(DecodeLimits limits) {
        this.parsers = new Parsers(limits);
        this.limits = limits;
    }

    // ---------------------------------------------------------------- encoding

    public byte[] encode(Event e, PayloadFormat format) {
        return parsers.write(format, g -> {
            g.writeStartObject(e, 8 + (e.attributes().isEmpty() ? 0 : 1)); // 4 header + type, sev, name, msg
            header(g, e.deviceId(), e.sequence().bootId(), e.sequence().seq(), e.time());
            g.writeStringField("type", e.type());
            g.writeStringField("sev", e.severity().code());
            g.writeStringField("name", e.name());
            g.writeStringField("msg", e.message());
            if (!e.attributes().isEmpty()) {
                g.writeFieldName("attrs");
                writeMap(g, e.attributes());
            }
            g.writeEndObject();
        });
    }

    public byte[] encode(Status s, PayloadFormat format) {
        return parsers.write(format, g -> {
            g.writeStartObject(s, 7 + (s.counters().isEmpty() ? 0 : 1) + (s.sensors().isEmpty() ? 0 : 1));
            g.writeStringField("dev", s.deviceId());
            g.writeNumberField("bid", s.bootId());
            g.writeNumberField("t", SenmlCodec.seconds(s.time()));
            g.writeStringField("state", s.state().code());
            g.writeNumberField("up", s.uptime().toMillis() / 1000.0);
            g.writeNumberField("heap", s.heapUsedBytes());
            g.writeNumberField("samples", s.samples());
            if (!s.counters().isEmpty()) {
                g.writeFieldName("ctr");
                g.writeStartObject(s.counters(), s.counters().size());
                for (Map.Entry<String, Long> c : new TreeMap<>(s.counters()).entrySet()) {
                    g.writeNumberField(c.getKey(), c.getValue());
                }
                g.writeEndObject();
            }
            if (!s.sensors().isEmpty()) {
                g.writeFieldName("sensors");
                g.writeStartArray(s.sensors(), s.sensors().size());
                for (SensorHealth h : s.sensors()) {
                    int n = 4 + (h.reason().isEmpty() ? 0 : 1) + (h.message().isEmpty() ? 0 : 1);
                    g.writeStartObject(h, n);
                    g.writeStringField("name", h.name());
                    g.writeStringField("state", h.state().code());
                    if (!h.reason().isEmpty()) {
                        g.writeStringField("reason", h.reason());
                    }
                    if (!h.message().isEmpty()) {
                        g.writeStringField("msg", h.message());
                    }
                    g.writeNumberField("since", SenmlCodec.seconds(h.since()));
                    g.writeNumberField("retries", h.retries());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        });
    }

    public byte[] encode(Command c, PayloadFormat format) {
        return parsers.write(format, g -> {
            g.writeStartObject(c, 4);
            g.writeStringField("id", c.id());
            g.writeStringField("name", c.name());
            g.writeFieldName("args");
            writeMap(g, c.args());
            g.writeNumberField("t", SenmlCodec.seconds(c.issuedAt()));
            g.writeEndObject();
        });
    }

    public byte[] encode(CommandResult r, PayloadFormat format) {
        return parsers.write(format, g -> {
            g.writeStartObject(r, 7);
            header(g, r.deviceId(), r.sequence().bootId(), r.sequence().seq(), r.time());
            g.writeStringField("id", r.commandId());
            g.writeBooleanField("ok", r.ok());
            g.writeStringField("msg", r.message());
            g.writeEndObject();
        });
    }

    /** Encodes an ack (gateway to device): {@code dev}, {@code bid}, {@code w} and, if any, {@code r}. */
    public byte[] encode(Ack a, PayloadFormat format) {
        return parsers.write(format, g -> {
            g.writeStartObject(a, a.ranges().isEmpty() ? 3 : 4);
            g.writeStringField("dev", a.deviceId());
            g.writeNumberField("bid", a.bootId());
            g.writeNumberField("w", a.watermark());
            if (!a.ranges().isEmpty()) {
                g.writeFieldName("r");
                g.writeStartArray(a.ranges(), a.ranges().size());
                for (Ack.Range r : a.ranges()) {
                    g.writeStartArray(r, 2);
                    g.writeNumber(r.first());
                    g.writeNumber(r.last());
                    g.writeEndArray();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        });
    }

    private static void header(JsonGenerator g, String dev, long bid, long seq, Instant t) throws IOException {
        g.writeStringField("dev", dev);
        g.writeNumberField("bid", bid);
        g.writeNumberField("seq", seq);
        g.writeNumberField("t", SenmlCodec.seconds(t));
    }

    private static void writeMap(JsonGenerator g, Map<String, Value> map) throws IOException {
        g.writeStartObject(map, map.size());
        // keys sorted: Map.copyOf iterates in a per-JVM random order, and the bytes must be reproducible
        for (Map.Entry<String, Value> e : new TreeMap<>(map).entrySet()) {
            g.writeFieldName(e.getKey());
            Value v = e.getValue();
            if (v instanceof Value.Num n) {
                g.writeNumber(n.value());
            } else if (v instanceof Value.Bool b) {
                g.writeBoolean(b.value());
            } else if (v instanceof Value.Text t) {
                g.writeString(t.value());
            } else {
                throw new IllegalArgumentException("attribute '" + e.getKey() + "' must be a number, boolean or string");
            }
        }
        g.writeEndObject();
    }

    // ---------------------------------------------------------------- decoding

    /** Decodes an event that arrived for {@code deviceId}. */
    public Event decodeEvent(String deviceId, byte[] payload, PayloadFormat format) {
        Fields f = read(payload, format, "type", "sev", "name", "msg", "attrs");
        Header h = f.header(deviceId, true);
        String type = Names.requireName(f.string("type"), "type", limits.maxNameLength());
        Severity sev = Severity.fromCode(f.string("sev")).orElseThrow(() ->
                new DecodeException(DecodeError.WRONG_TYPE, "sev must be one of info, warning, critical"));
        String name = Names.requireName(f.string("name"), "name", limits.maxNameLength());
        return new Event(deviceId, h.sequence(), h.time, type, sev, name, f.optionalString("msg", ""), f.attrs("attrs"));
    }

    /** Decodes a status message that arrived for {@code deviceId}. */
    public Status decodeStatus(String deviceId, byte[] payload, PayloadFormat format) {
        Fields f = read(payload, format, "state", "up", "heap", "samples", "ctr", "sensors");
        Header h = f.header(deviceId, false);
        DeviceState state = DeviceState.fromCode(f.string("state")).orElseThrow(() ->
                new DecodeException(DecodeError.WRONG_TYPE, "state must be online or offline"));
        double up = f.optionalNumber("up", 0);
        if (up < 0) {
            throw new DecodeException(DecodeError.WRONG_TYPE, "up must be >= 0");
        }
        Map<String, Long> counters = new LinkedHashMap<>();
        for (Map.Entry<String, Value> e : f.attrs("ctr").entrySet()) {
            if (!(e.getValue() instanceof Value.Num n) || n.value() != Math.rint(n.value()) || n.value() < 0) {
                throw new DecodeException(DecodeError.WRONG_TYPE, "ctr." + e.getKey() + " must be a non-negative integer");
            }
            counters.put(e.getKey(), (long) n.value());
        }
        @SuppressWarnings("unchecked")
        List<SensorHealth> sensors = (List<SensorHealth>) f.values.getOrDefault("sensors", List.of());
        return new Status(deviceId, h.bootId, h.time, state, Duration.ofMillis(Math.round(up * 1000)),
                f.count("heap"), f.count("samples"), counters, sensors);
    }

    /** Decodes a command result that arrived for {@code deviceId}. */
    public CommandResult decodeCommandResult(String deviceId, byte[] payload, PayloadFormat format) {
        Fields f = read(payload, format, "id", "ok", "msg");
        Header h = f.header(deviceId, true);
        Object ok = f.values.get("ok");
        if (!(ok instanceof Boolean b)) {
            throw new DecodeException(ok == null ? DecodeError.MISSING_FIELD : DecodeError.WRONG_TYPE, "ok must be a boolean");
        }
        return new CommandResult(deviceId, h.sequence(), h.time, requireId(f.string("id")), b, f.optionalString("msg", ""));
    }

    /** Decodes a downlink command (on the device). */
    public Command decodeCommand(byte[] payload, PayloadFormat format) {
        Fields f = read(payload, format, "id", "name", "args");
        String name = Names.requireName(f.string("name"), "name", limits.maxNameLength());
        Instant issued = f.values.containsKey("t") ? SenmlCodec.instant(f.number("t")) : Instant.EPOCH;
        return new Command(requireId(f.string("id")), name, f.attrs("args"), issued);
    }

    /**
     * Decodes an ack that arrived for {@code deviceId} (on the device). Ranges must be ascending,
     * disjoint and above the watermark ({@code wrong_type}); more than {@link Ack#MAX_RANGES} is
     * {@code limit_exceeded}.
     */
    public Ack decodeAck(String deviceId, byte[] payload, PayloadFormat format) {
        Fields f = read(payload, format, "w", "r");
        String dev = f.string("dev");
        if (!dev.equals(deviceId)) {
            throw new DecodeException(DecodeError.DEVICE_MISMATCH,
                    "ack names device '" + Names.printable(dev) + "' but arrived for '" + deviceId + "'");
        }
        long bid = (Long) f.require("bid");
        long w = (Long) f.require("w");
        @SuppressWarnings("unchecked")
        List<Ack.Range> ranges = (List<Ack.Range>) f.values.getOrDefault("r", List.of());
        long above = w;
        for (Ack.Range r : ranges) {
            if (r.first() <= above) {
                throw new DecodeException(DecodeError.WRONG_TYPE, "r must be ascending, disjoint and above w");
            }
            above = r.last();
        }
        return new Ack(deviceId, bid, w, ranges);
    }

    /** {@code [[first, last], ...]}: at most {@link Ack#MAX_RANGES} pairs with 1 <= first <= last. */
    private static List<Ack.Range> ranges(StrictReader in) {
        JsonToken t = in.next();
        if (t != JsonToken.START_ARRAY) {
            throw new DecodeException(DecodeError.WRONG_TYPE, "r must be an array of [first, last] pairs");
        }
        List<Ack.Range> out = new ArrayList<>();
        while ((t = in.next()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.START_ARRAY) {
                throw new DecodeException(DecodeError.WRONG_TYPE, "r[" + out.size() + "] must be a [first, last] pair");
            }
            if (out.size() >= Ack.MAX_RANGES) {
                throw new DecodeException(DecodeError.LIMIT_EXCEEDED, "r has more than " + Ack.MAX_RANGES + " ranges");
            }
            String path = "r[" + out.size() + "]";
            long first = in.integer(path + "[0]", 1, Long.MAX_VALUE);
            long last = in.integer(path + "[1]", first, Long.MAX_VALUE);
            if (in.next() != JsonToken.END_ARRAY) {
                throw new DecodeException(DecodeError.WRONG_TYPE, path + " must have exactly two elements");
            }
            out.add(new Ack.Range(first, last));
        }
        return out;
    }

    /**
     * {@code [{name, state, reason?, msg?, since, retries}, ...]}: at most
     * {@link SensorHealth#MAX_PER_STATUS} flat maps; other keys in them are ignored.
     */
    private static List<SensorHealth> sensors(StrictReader in) {
        JsonToken t = in.next();
        if (t != JsonToken.START_ARRAY) {
            throw new DecodeException(DecodeError.WRONG_TYPE, "sensors must be an array of maps");
        }
        List<SensorHealth> out = new ArrayList<>();
        while ((t = in.next()) != JsonToken.END_ARRAY) {
            if (out.size() >= SensorHealth.MAX_PER_STATUS) {
                throw new DecodeException(DecodeError.LIMIT_EXCEEDED, "sensors has more than " + SensorHealth.MAX_PER_STATUS
                        + " entries");
            }
            String path = "sensors[" + out.size() + "]";
            Map<String, Value> m = in.attributes(path, t);
            String name = text(m, path, "name", true);
            SensorHealth.State state = SensorHealth.State.fromCode(text(m, path, "state", true)).orElseThrow(() ->
                    new DecodeException(DecodeError.WRONG_TYPE, path + ".state must be ok or faulted"));
            double since = number(m, path, "since");
            double retries = number(m, path, "retries");
            if (retries < 0 || retries != Math.rint(retries) || retries > 9.007199254740992E15) {
                throw new DecodeException(DecodeError.WRONG_TYPE, path + ".retries must be a non-negative integer");
            }
            try {
                out.add(new SensorHealth(name, state, text(m, path, "reason", false), text(m, path, "msg", false),
                        SenmlCodec.instant(since), (long) retries));
            } catch (IllegalArgumentException e) {
                throw new DecodeException(DecodeError.INVALID_VALUE, path + ": " + e.getMessage());
            }
        }
        return out;
    }

    private static String text(Map<String, Value> m, String path, String key, boolean required) {
        Value v = m.get(key);
        if (v == null && !required) {
            return "";
        }
        if (!(v instanceof Value.Text t)) {
            throw new DecodeException(v == null ? DecodeError.MISSING_FIELD : DecodeError.WRONG_TYPE,
                    path + "." + key + (v == null ? " is required" : " must be text"));
        }
        return t.value();
    }

    private static double number(Map<String, Value> m, String path, String key) {
        Value v = m.get(key);
        if (!(v instanceof Value.Num n)) {
            throw new DecodeException(v == null ? DecodeError.MISSING_FIELD : DecodeError.WRONG_TYPE,
                    path + "." + key + (v == null ? " is required" : " must be a number"));
        }
        return n.value();
    }

    private static String requireId(String id) {
        if (id.isEmpty() || id.length() > 64) {
            throw new DecodeException(DecodeError.WRONG_TYPE, "id must be 1-64 characters");
        }
        return id;
    }

    private Fields read(byte[] payload, PayloadFormat format, String... extraKeys) {
        JsonParser parser = parsers.open(payload, format);
        try (parser) {
            StrictReader in = new StrictReader(parser, limits, format == PayloadFormat.CBOR);
            in.expect(JsonToken.START_OBJECT, "a map");
            Fields f = new Fields();
            JsonToken t;
            while ((t = in.next()) != JsonToken.END_OBJECT) {
                if (t != JsonToken.FIELD_NAME) {
                    throw new DecodeException(DecodeError.MALFORMED, "expected a key");
                }
                String key = in.fieldName();
                if (key.equals("w") && Arrays.asList(extraKeys).contains(key)) {
                    f.values.put(key, in.integer(key, 0, Long.MAX_VALUE));
                    continue;
                }
                if (key.equals("r") && Arrays.asList(extraKeys).contains(key)) {
                    f.values.put(key, ranges(in));
                    continue;
                }
                if (key.equals("sensors") && Arrays.asList(extraKeys).contains(key)) {
                    f.values.put(key, sensors(in));
                    continue;
                }
                switch (key) {
                    // names and ids are checked after reading, so that a too-long one is an invalid_name
                    case "dev", "state", "type", "sev", "name", "msg", "id" ->
                            f.values.put(key, in.string(key, limits.maxStringLength()));
                    case "bid" -> f.values.put(key, in.integer(key, 0, Long.MAX_VALUE));
                    case "seq" -> f.values.put(key, in.integer(key, 1, Long.MAX_VALUE));
                    case "t", "up", "heap", "samples" -> f.values.put(key, in.number(key));
                    case "ok" -> f.values.put(key, in.bool(key));
                    case "attrs", "ctr", "args" -> f.values.put(key, in.attributes(key));
                    default -> {
                        if (key.endsWith("_")) {
                            throw new DecodeException(DecodeError.UNKNOWN_MUST_UNDERSTAND,
                                    "must-understand field '" + Names.printable(key) + "'");
                        }
                        in.skipValue();
                    }
                }
            }
            in.expectEnd();
            return f;
        } catch (IOException e) {
            throw new DecodeException(DecodeError.MALFORMED, e.getMessage(), e);
        }
    }

    private record Header(long bootId, long seq, Instant time) {
        Sequence sequence() {
            return new Sequence(bootId, seq);
        }
    }

    private static final class Fields {
        final Map<String, Object> values = new HashMap<>();

        Header header(String deviceId, boolean needsSeq) {
            String dev = string("dev");
            if (!dev.equals(deviceId)) {
                throw new DecodeException(DecodeError.DEVICE_MISMATCH,
                        "message names device '" + Names.printable(dev) + "' but arrived for '" + deviceId + "'");
            }
            long bid = (Long) require("bid");
            long seq = needsSeq ? (Long) require("seq") : 0;
            return new Header(bid, seq, SenmlCodec.instant(number("t")));
        }

        Object require(String key) {
            Object v = values.get(key);
            if (v == null) {
                throw new DecodeException(DecodeError.MISSING_FIELD, key + " is required");
            }
            return v;
        }

        String string(String key) {
            return (String) require(key);
        }

        String optionalString(String key, String otherwise) {
            return (String) values.getOrDefault(key, otherwise);
        }

        double number(String key) {
            return (Double) require(key);
        }

        /** An optional non-negative whole number (0 when absent). */
        long count(String key) {
            double v = optionalNumber(key, 0);
            if (v < 0 || v != Math.rint(v) || v > 9.007199254740992E15) {
                throw new DecodeException(DecodeError.WRONG_TYPE, key + " must be a non-negative integer, was " + v);
            }
            return (long) v;
        }

        double optionalNumber(String key, double otherwise) {
            return (Double) values.getOrDefault(key, otherwise);
        }

        @SuppressWarnings("unchecked")
        Map<String, Value> attrs(String key) {
            return (Map<String, Value>) values.getOrDefault(key, Map.of());
        }
    }
}

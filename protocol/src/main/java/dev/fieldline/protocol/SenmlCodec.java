package dev.fieldline.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.fieldline.protocol.internal.Names;
import dev.fieldline.protocol.internal.Parsers;
import dev.fieldline.protocol.internal.StrictReader;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * SenML (RFC 8428) packs in CBOR and JSON: a strict decoder that resolves records (§4.6) and an
 * encoder for Fieldline telemetry.
 *
 * <p>Fieldline's sequence travels in two extension labels of the first record, {@code fl_bid}
 * (boot id) and {@code fl_seq} (sequence number). They do not end in '_', so any SenML consumer
 * can ignore them (§4.4). Thread-safe.
 */
public final class SenmlCodec {
    /** Label of the boot id extension field. */
    public static final String BOOT_LABEL = "fl_bid";
    /** Label of the sequence number extension field. */
    public static final String SEQ_LABEL = "fl_seq";
    /** The SenML version this codec implements (RFC 8428 default). */
    public static final int VERSION = 10;
    /** Times below 2**28 are relative to the time of decoding (RFC 8428 §4.5.3). */
    private static final double RELATIVE_TIME_LIMIT = 268_435_456d;

    private final Parsers parsers;
    private final DecodeLimits limits;
    private final Clock clock;

    public SenmlCodec() {
        this(DecodeLimits.DEFAULT, Clock.systemUTC());
    }

    public SenmlCodec(DecodeLimits limits, Clock clock) {
        this.parsers = new Parsers(limits);
        this.limits = limits;
        this.clock = clock;
    }

    public DecodeLimits limits() {
        return limits;
    }

    /** A decoded pack: resolved readings with full names, and the Fieldline sequence if present. */
    public record Pack(List<Reading> readings, Optional<Sequence> sequence) {
    }

    /**
     * Decodes a telemetry message that arrived for {@code deviceId}. If the pack's names carry a
     * Fieldline base name ({@code urn:dev:fl:ID:}) the id must match and is stripped from the metric
     * names; names from other producers are kept whole.
     */
    public Telemetry decodeTelemetry(String deviceId, byte[] payload, PayloadFormat format) {
        Pack pack = decode(payload, format);
        String prefix = DeviceIds.baseName(deviceId);
        List<Reading> readings = new ArrayList<>(pack.readings().size());
        for (Reading r : pack.readings()) {
            String name = r.name();
            if (name.startsWith("urn:dev:fl:")) {
                if (!name.startsWith(prefix) || name.length() == prefix.length()) {
                    throw new DecodeException(DecodeError.DEVICE_MISMATCH, "record '" + Names.printable(name)
                            + "' is not a metric of device '" + deviceId + "'");
                }
                name = name.substring(prefix.length());
            }
            readings.add(new Reading(name, r.unit(), r.value(), r.sum(), r.time()));
        }
        return new Telemetry(deviceId, pack.sequence(), readings);
    }

    /** Decodes and resolves a pack. */
    public Pack decode(byte[] payload, PayloadFormat format) {
        JsonParser parser = parsers.open(payload, format);
        try (parser) {
            StrictReader in = new StrictReader(parser, limits, format == PayloadFormat.CBOR);
            in.expect(JsonToken.START_ARRAY, "a SenML pack (an array of records)");
            List<RawRecord> records = new ArrayList<>();
            JsonToken t;
            while ((t = in.next()) != JsonToken.END_ARRAY) {
                if (t != JsonToken.START_OBJECT) {
                    throw new DecodeException(DecodeError.MALFORMED,
                            "record " + records.size() + " is not a map");
                }
                if (records.size() >= limits.maxRecords()) {
                    throw new DecodeException(DecodeError.LIMIT_EXCEEDED,
                            "more than " + limits.maxRecords() + " records");
                }
                records.add(readRecord(in, records.size()));
            }
            in.expectEnd();
            if (records.isEmpty()) {
                throw new DecodeException(DecodeError.MISSING_FIELD, "the pack has no records");
            }
            return resolve(records);
        } catch (IOException e) {
            throw new DecodeException(DecodeError.MALFORMED, e.getMessage(), e);
        }
    }

    private RawRecord readRecord(StrictReader in, int index) {
        RawRecord r = new RawRecord();
        String at = "record " + index + " ";
        JsonToken t;
        while ((t = in.next()) != JsonToken.END_OBJECT) {
            if (t != JsonToken.FIELD_NAME) {
                throw new DecodeException(DecodeError.MALFORMED, at + "has a key that is not a label");
            }
            String label = in.fieldName();
            Label known = Label.of(label, in.isCbor());
            if (known == null) {
                if (label.endsWith("_")) {
                    throw new DecodeException(DecodeError.UNKNOWN_MUST_UNDERSTAND,
                            at + "has must-understand field '" + Names.printable(label) + "'");
                }
                in.skipValue();
                continue;
            }
            String path = at + known.json;
            switch (known) {
                // bn and n are bounded here and checked as a resolved name (invalid_name) in resolve()
                case BN -> r.bn = in.string(path, limits.maxStringLength());
                case BT -> r.bt = in.number(path);
                case BU -> r.bu = in.string(path, 32);
                case BV -> r.bv = in.number(path);
                case BS -> r.bs = in.number(path);
                case BVER -> r.bver = (int) in.integer(path, 1, Integer.MAX_VALUE);
                case N -> r.n = in.string(path, limits.maxStringLength());
                case U -> r.u = in.string(path, 32);
                case V -> r.v = in.number(path);
                case VS -> r.vs = in.string(path, limits.maxStringLength());
                case VB -> r.vb = in.bool(path);
                case VD -> r.vd = in.data(path);
                case S -> r.s = in.number(path);
                case T -> r.t = in.number(path);
                case UT -> r.ut = in.number(path);
                case FL_BOOT -> r.boot = in.integer(path, 0, Long.MAX_VALUE);
                case FL_SEQ -> r.seq = in.integer(path, 1, Long.MAX_VALUE);
            }
        }
        if (index > 0 && (r.boot != null || r.seq != null)) {
            throw new DecodeException(DecodeError.WRONG_TYPE,
                    at + "carries " + BOOT_LABEL + "/" + SEQ_LABEL + ", which belong in the first record only");
        }
        return r;
    }

    private Pack resolve(List<RawRecord> records) {
        Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS); // times are kept to the µs
        String bn = "";
        double bt = 0;
        String bu = "";
        double bv = 0;
        Double bs = null;
        Optional<Sequence> sequence = Optional.empty();
        RawRecord first = records.get(0);
        if (first.boot != null || first.seq != null) {
            if (first.boot == null || first.seq == null) {
                throw new DecodeException(DecodeError.MISSING_FIELD,
                        "record 0 needs both " + BOOT_LABEL + " and " + SEQ_LABEL + ", or neither");
            }
            sequence = Optional.of(new Sequence(first.boot, first.seq));
        }
        List<Reading> readings = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            RawRecord r = records.get(i);
            String at = "record " + i;
            if (r.bver != null && r.bver > VERSION) {
                throw new DecodeException(DecodeError.UNSUPPORTED_VERSION,
                        at + " has bver " + r.bver + "; this decoder implements version " + VERSION);
            }
            if (r.bn != null) {
                bn = r.bn;
            }
            if (r.bt != null) {
                bt = r.bt;
            }
            if (r.bu != null) {
                bu = requireUnit(r.bu, at + " bu");
            }
            if (r.bv != null) {
                bv = r.bv;
            }
            if (r.bs != null) {
                bs = r.bs;
            }
            int values = (r.v != null ? 1 : 0) + (r.vs != null ? 1 : 0) + (r.vb != null ? 1 : 0) + (r.vd != null ? 1 : 0);
            if (values > 1) {
                throw new DecodeException(DecodeError.INVALID_RECORD, at + " has more than one value field");
            }
            if (values == 0 && r.s == null) {
                if (r.n == null && r.u == null && r.t == null && r.ut == null) {
                    continue; // a record of base fields only
                }
                throw new DecodeException(DecodeError.INVALID_RECORD, at + " has neither a value nor a sum");
            }
            String name = bn + (r.n == null ? "" : r.n);
            if (name.isEmpty()) {
                throw new DecodeException(DecodeError.MISSING_FIELD, at + " has no name (n or bn)");
            }
            Names.requireName(name, at + " name", limits.maxNameLength());
            String unit = r.u != null ? requireUnit(r.u, at + " u") : bu;
            Optional<Value> value = Optional.empty();
            if (r.v != null) {
                value = Optional.of(new Value.Num(finite(bv + r.v, at + " v")));
            } else if (r.vs != null) {
                value = Optional.of(new Value.Text(r.vs));
            } else if (r.vb != null) {
                value = Optional.of(new Value.Bool(r.vb));
            } else if (r.vd != null) {
                value = Optional.of(new Value.Data(r.vd));
            }
            OptionalDouble sum = OptionalDouble.empty();
            if (r.s != null || (bs != null && values == 0)) {
                sum = OptionalDouble.of(finite((bs == null ? 0 : bs) + (r.s == null ? 0 : r.s), at + " s"));
            }
            double t = finite(bt + (r.t == null ? 0 : r.t), at + " t");
            Instant time = t < RELATIVE_TIME_LIMIT ? now.plusNanos(Math.round(t * 1e6) * 1000L) : instant(t);
            readings.add(new Reading(name, unit, value, sum, time));
        }
        if (readings.isEmpty()) {
            throw new DecodeException(DecodeError.MISSING_FIELD, "the pack has no record with a value");
        }
        return new Pack(readings, sequence);
    }

    private static String requireUnit(String unit, String path) {
        if (!SenmlUnits.isRegistered(unit)) {
            throw new DecodeException(DecodeError.INVALID_UNIT,
                    path + " '" + Names.printable(unit) + "' is not in the SenML units registry (e.g. Cel, %RH, V, A)");
        }
        return unit;
    }

    private static double finite(double v, String path) {
        if (!Double.isFinite(v)) {
            throw new DecodeException(DecodeError.INVALID_VALUE, path + " is not finite");
        }
        return v;
    }

    /** Absolute seconds since the epoch, kept to the microsecond. */
    public static Instant instant(double epochSeconds) {
        long micros = Math.round(epochSeconds * 1e6);
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }

    public static double seconds(Instant t) {
        return t.getEpochSecond() + t.getNano() / 1e9;
    }

    /**
     * Encodes telemetry as a SenML pack. The first record carries the base name
     * {@code urn:dev:fl:ID:}, the base time (the first reading's time) and the sequence; later
     * records carry a time relative to it when it differs.
     */
    public byte[] encode(Telemetry telemetry, PayloadFormat format) {
        boolean cbor = format == PayloadFormat.CBOR;
        return parsers.write(format, g -> {
            List<Reading> readings = telemetry.readings();
            double bt = seconds(readings.get(0).time());
            g.writeStartArray(readings, readings.size());
            for (int i = 0; i < readings.size(); i++) {
                Reading r = readings.get(i);
                double t = i == 0 ? 0 : Math.round((seconds(r.time()) - bt) * 1e6) / 1e6;
                int fields = 1 + (i == 0 ? (telemetry.sequence().isPresent() ? 4 : 2) : 0)
                        + (r.unit().isEmpty() ? 0 : 1) + (r.value().isPresent() ? 1 : 0)
                        + (r.sum().isPresent() ? 1 : 0) + (t != 0 ? 1 : 0);
                g.writeStartObject(r, fields);
                if (i == 0) {
                    label(g, cbor, Label.BN);
                    g.writeString(DeviceIds.baseName(telemetry.deviceId()));
                    label(g, cbor, Label.BT);
                    g.writeNumber(bt);
                    if (telemetry.sequence().isPresent()) {
                        g.writeFieldName(BOOT_LABEL);
                        g.writeNumber(telemetry.sequence().get().bootId());
                        g.writeFieldName(SEQ_LABEL);
                        g.writeNumber(telemetry.sequence().get().seq());
                    }
                }
                label(g, cbor, Label.N);
                g.writeString(r.name());
                if (!r.unit().isEmpty()) {
                    label(g, cbor, Label.U);
                    g.writeString(r.unit());
                }
                if (r.value().isPresent()) {
                    writeValue(g, cbor, r.value().get());
                }
                if (r.sum().isPresent()) {
                    label(g, cbor, Label.S);
                    g.writeNumber(r.sum().getAsDouble());
                }
                if (t != 0) {
                    label(g, cbor, Label.T);
                    g.writeNumber(t);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    private static void writeValue(JsonGenerator g, boolean cbor, Value value) throws IOException {
        if (value instanceof Value.Num n) {
            label(g, cbor, Label.V);
            g.writeNumber(n.value());
        } else if (value instanceof Value.Bool b) {
            label(g, cbor, Label.VB);
            g.writeBoolean(b.value());
        } else if (value instanceof Value.Text s) {
            label(g, cbor, Label.VS);
            g.writeString(s.value());
        } else if (value instanceof Value.Data d) {
            label(g, cbor, Label.VD);
            if (cbor) {
                g.writeBinary(d.value());
            } else {
                g.writeString(Base64.getUrlEncoder().withoutPadding().encodeToString(d.value()));
            }
        }
    }

    private static void label(JsonGenerator g, boolean cbor, Label label) throws IOException {
        if (cbor) {
            g.writeFieldId(label.cbor);
        } else {
            g.writeFieldName(label.json);
        }
    }

    /** SenML labels: JSON name and CBOR integer (RFC 8428 Table 4), plus Fieldline's extensions. */
    private enum Label {
        BVER("bver", -1), BN("bn", -2), BT("bt", -3), BU("bu", -4), BV("bv", -5), BS("bs", -6),
        N("n", 0), U("u", 1), V("v", 2), VS("vs", 3), VB("vb", 4), S("s", 5), T("t", 6), UT("ut", 7), VD("vd", 8),
        FL_BOOT(BOOT_LABEL, Integer.MIN_VALUE), FL_SEQ(SEQ_LABEL, Integer.MIN_VALUE);

        final String json;
        final int cbor;

        Label(String json, int cbor) {
            this.json = json;
            this.cbor = cbor;
        }

        /**
         * The label for a map key. In CBOR the registered labels are integers (Jackson reports them
         * as their decimal text) and extensions are text; in JSON every label is text.
         */
        static Label of(String key, boolean cbor) {
            for (Label l : values()) {
                if (l.cbor == Integer.MIN_VALUE ? l.json.equals(key)
                        : cbor ? Integer.toString(l.cbor).equals(key) : l.json.equals(key)) {
                    return l;
                }
            }
            return null;
        }
    }

    /** A record as it was on the wire, before resolution; null means absent. */
    private static final class RawRecord {
        String bn;
        Double bt;
        String bu;
        Double bv;
        Double bs;
        Integer bver;
        String n;
        String u;
        Double v;
        String vs;
        Boolean vb;
        byte[] vd;
        Double s;
        Double t;
        Double ut;
        Long boot;
        Long seq;
    }
}

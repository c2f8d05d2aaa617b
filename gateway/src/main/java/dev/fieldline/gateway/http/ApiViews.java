package dev.fieldline.gateway.http;

import dev.fieldline.gateway.analytics.AlertRecord;
import dev.fieldline.gateway.store.BootSequence;
import dev.fieldline.gateway.store.CommandRecord;
import dev.fieldline.gateway.store.DeviceRecord;
import dev.fieldline.gateway.store.StoredEvent;
import dev.fieldline.gateway.store.StoredReading;
import dev.fieldline.protocol.Event;
import dev.fieldline.protocol.SensorHealth;
import dev.fieldline.protocol.Status;
import dev.fieldline.protocol.Value;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON shapes of the API's answers (maps for Jackson; times as ISO-8601 text). */
final class ApiViews {
    private ApiViews() {
    }

    static Object value(Value v) {
        if (v instanceof Value.Num n) {
            return n.value();
        } else if (v instanceof Value.Bool b) {
            return b.value();
        } else if (v instanceof Value.Text t) {
            return t.value();
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(((Value.Data) v).value());
    }

    static Map<String, Object> values(Map<String, Value> values) {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, value(v)));
        return out;
    }

    static Map<String, Object> reading(StoredReading r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", r.deviceId());
        m.put("metric", r.reading().name());
        m.put("unit", r.reading().unit());
        m.put("value", r.reading().value().map(ApiViews::value).orElse(null));
        if (r.reading().sum().isPresent()) {
            m.put("sum", r.reading().sum().getAsDouble());
        }
        m.put("time", r.reading().time().toString());
        m.put("bootId", r.sequence().map(s -> (Object) s.bootId()).orElse(null));
        m.put("seq", r.sequence().map(s -> (Object) s.seq()).orElse(null));
        return m;
    }

    static Map<String, Object> device(DeviceRecord d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("state", d.status().map(s -> s.state().code()).orElse("unknown"));
        m.put("transport", d.transport().code());
        m.put("firstSeen", d.firstSeen().toString());
        m.put("lastSeen", d.lastSeen().toString());
        m.put("messages", d.messages());
        m.put("readings", d.readings());
        return m;
    }

    static Map<String, Object> status(DeviceRecord d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", d.id());
        m.put("state", d.status().map(s -> s.state().code()).orElse("unknown"));
        m.put("lastSeen", d.lastSeen().toString());
        if (d.status().isPresent()) {
            Status s = d.status().get();
            m.put("bootId", s.bootId());
            m.put("time", s.time().toString());
            m.put("uptimeSeconds", s.uptime().toMillis() / 1000.0);
            m.put("heapUsedBytes", s.heapUsedBytes());
            m.put("samples", s.samples());
            m.put("counters", s.counters());
            if (!s.sensors().isEmpty()) {
                m.put("faultedSensors", s.sensors().stream().filter(h -> h.state() == SensorHealth.State.FAULTED).count());
                m.put("sensors", s.sensors().stream().map(ApiViews::sensor).toList());
            }
        }
        return m;
    }

    static Map<String, Object> sensor(SensorHealth h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", h.name());
        m.put("state", h.state().code());
        m.put("reason", h.reason());
        m.put("message", h.message());
        m.put("since", h.since().toString());
        m.put("retries", h.retries());
        return m;
    }

    static Map<String, Object> boot(BootSequence b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bootId", b.bootId());
        m.put("highestSeq", b.highestSeq());
        m.put("received", b.received());
        m.put("missing", b.missing());
        m.put("firstSeen", b.firstSeen().toString());
        m.put("lastSeen", b.lastSeen().toString());
        return m;
    }

    static Map<String, Object> command(CommandRecord c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.command().id());
        m.put("device", c.deviceId());
        m.put("name", c.command().name());
        m.put("args", values(c.command().args()));
        m.put("state", c.state().code());
        m.put("createdAt", c.createdAt().toString());
        m.put("updatedAt", c.updatedAt().toString());
        m.put("result", c.resultMessage().orElse(null));
        return m;
    }

    static Map<String, Object> alert(AlertRecord a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", a.id());
        m.put("device", a.alert().deviceId());
        m.put("rule", a.alert().rule());
        m.put("metric", a.alert().metric());
        m.put("value", a.alert().value());
        m.put("threshold", a.alert().threshold());
        m.put("severity", a.alert().severity().code());
        m.put("message", a.alert().message());
        m.put("state", a.state().code());
        m.put("readingTime", a.alert().readingTime().toString());
        m.put("createdAt", a.alert().createdAt().toString());
        m.put("dedupKey", a.dedupKey().orElse(null));
        m.put("count", a.count());
        m.put("lastSeen", a.lastSeen().toString());
        m.put("acknowledgedAt", a.acknowledged().map(c -> c.at().toString()).orElse(null));
        m.put("acknowledgedBy", a.acknowledged().map(AlertRecord.Change::by).orElse(null));
        m.put("resolvedAt", a.resolved().map(c -> c.at().toString()).orElse(null));
        m.put("resolvedBy", a.resolved().map(AlertRecord.Change::by).orElse(null));
        m.put("note", a.note().orElse(null));
        return m;
    }

    static Map<String, Object> event(StoredEvent s) {
        Event e = s.event();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("device", e.deviceId());
        m.put("bootId", e.sequence().bootId());
        m.put("seq", e.sequence().seq());
        m.put("time", e.time().toString());
        m.put("type", e.type());
        m.put("severity", e.severity().code());
        m.put("name", e.name());
        m.put("message", e.message());
        Map<String, Object> attrs = new java.util.TreeMap<>();
        e.attributes().forEach((k, v) -> attrs.put(k, value(v)));
        m.put("attributes", attrs);
        m.put("receivedAt", s.receivedAt().toString());
        return m;
    }

    static Map<String, Object> error(String code, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", code);
        m.put("message", message);
        return m;
    }
}

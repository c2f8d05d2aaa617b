package dev.fieldline.gateway.actions;

import dev.fieldline.gateway.rules.RuleFiring;
import java.util.LinkedHashMap;
import java.util.Map;

/** A firing as the actions hand it on: its identity and its fields as JSON-ready values. */
final class FiringView {
    private FiringView() {
    }

    /**
     * The identity of one firing: the rule's deduplication key and the event time that completed the
     * condition ({@code rule/device/metric/2026-11-21T10:00:00Z}). The same firing always has the same
     * id (webhook idempotency keys, cloud record ids, the once-per-firing command check).
     */
    static String id(RuleFiring f) {
        return f.dedupKey() + "/" + f.eventTime();
    }

    /** The firing as a JSON object: {@code event} ({@code fired} or {@code cleared}) and every field. */
    static Map<String, Object> body(String event, RuleFiring f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", event);
        m.put("id", id(f));
        m.put("ruleId", f.ruleId());
        m.put("rule", f.ruleName());
        m.put("device", f.deviceId());
        m.put("metric", f.metric());
        if (Double.isFinite(f.value())) {
            m.put("value", f.value()); // JSON has no NaN or infinity
        }
        m.put("condition", f.condition());
        m.put("severity", f.severity().code());
        m.put("eventTime", f.eventTime().toString());
        m.put("firedAt", f.firedAt().toString());
        m.put("details", f.details());
        return m;
    }
}

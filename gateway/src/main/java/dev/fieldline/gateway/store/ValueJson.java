package dev.fieldline.gateway.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fieldline.protocol.SensorHealth;
import dev.fieldline.protocol.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON text the store keeps for argument, attribute and counter maps and sensor health lists. */
final class ValueJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ValueJson() {
    }

    static String values(Map<String, Value> map) {
        ObjectNode o = JSON.createObjectNode();
        map.forEach((k, v) -> {
            if (v instanceof Value.Num n) {
                o.put(k, n.value());
            } else if (v instanceof Value.Bool b) {
                o.put(k, b.value());
            } else if (v instanceof Value.Text t) {
                o.put(k, t.value());
            } else if (v instanceof Value.Data d) {
                o.put(k, Base64.getUrlEncoder().withoutPadding().encodeToString(d.value()));
            }
        });
        return o.toString();
    }

    static Map<String, Value> values(String json) {
        Map<String, Value> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : tree(json).properties()) {
            JsonNode n = e.getValue();
            out.put(e.getKey(), n.isNumber() ? new Value.Num(n.doubleValue())
                    : n.isBoolean() ? new Value.Bool(n.booleanValue()) : new Value.Text(n.asText()));
        }
        return out;
    }

    static String counters(Map<String, Long> counters) {
        ObjectNode o = JSON.createObjectNode();
        counters.forEach(o::put);
        return o.toString();
    }

    static Map<String, Long> counters(String json) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (json == null) {
            return out;
        }
        for (Map.Entry<String, JsonNode> e : tree(json).properties()) {
            out.put(e.getKey(), e.getValue().asLong());
        }
        return out;
    }

    static String sensors(List<SensorHealth> sensors) {
        ArrayNode a = JSON.createArrayNode();
        for (SensorHealth h : sensors) {
            a.addObject().put("name", h.name()).put("state", h.state().code()).put("reason", h.reason())
                    .put("message", h.message()).put("since", h.since().toEpochMilli()).put("retries", h.retries());
        }
        return a.toString();
    }

    static List<SensorHealth> sensors(String json) {
        if (json == null) {
            return List.of();
        }
        List<SensorHealth> out = new ArrayList<>();
        try {
            for (JsonNode n : tree(json)) {
                out.add(new SensorHealth(n.path("name").asText(), SensorHealth.State.fromCode(n.path("state").asText())
                        .orElseThrow(() -> new IllegalArgumentException("unknown sensor state " + n.path("state"))),
                        n.path("reason").asText(), n.path("message").asText(),
                        Instant.ofEpochMilli(n.path("since").asLong()), n.path("retries").asLong()));
            }
        } catch (IllegalArgumentException e) {
            throw new StoreException(StoreException.Reason.FAILED, "stored sensors are unreadable: " + e.getMessage(), e);
        }
        return out;
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new StoreException(StoreException.Reason.FAILED, "stored JSON is unreadable: " + e.getOriginalMessage(), e);
        }
    }

    /** A JSON object of plain values (numbers, strings, booleans, lists, maps). */
    static String object(java.util.Map<String, Object> body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON-serialisable: " + e.getOriginalMessage(), e);
        }
    }

    /** The plain values of a JSON object written by {@link #object}. */
    @SuppressWarnings("unchecked")
    static java.util.Map<String, Object> object(String json) {
        try {
            return JSON.readValue(json, java.util.LinkedHashMap.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is malformed: " + e.getOriginalMessage(), e);
        }
    }
}

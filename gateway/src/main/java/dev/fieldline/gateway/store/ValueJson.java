package dev.fieldline.gateway.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fieldline.protocol.Value;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON text the store keeps for argument, attribute and counter maps. */
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

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new StoreException(StoreException.Reason.FAILED, "stored JSON is unreadable: " + e.getOriginalMessage(), e);
        }
    }
}

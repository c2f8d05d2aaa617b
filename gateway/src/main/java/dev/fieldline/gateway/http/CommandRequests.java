package dev.fieldline.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.Value;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /api/v1/devices/{id}/commands} bodies: {@code {"name": "led", "args": {"on": true}}}.
 * Argument values are numbers, booleans or strings; the protocol's decoder then checks the name and
 * the limits (see {@code DefaultDownlink#submit}).
 */
final class CommandRequests {
    record Parsed(String name, Map<String, Value> args) {
    }

    private CommandRequests() {
    }

    static Parsed parse(byte[] body, ObjectMapper json) {
        JsonNode tree;
        try {
            tree = json.readTree(body);
        } catch (IOException e) {
            throw ApiError.badRequest(DecodeError.MALFORMED.code(), "the body is not well-formed JSON"
                    + (e instanceof JsonProcessingException j ? ": " + j.getOriginalMessage() : ""));
        }
        if (tree == null || !tree.isObject()) {
            throw ApiError.badRequest(DecodeError.MALFORMED.code(), "the body must be a JSON object {\"name\": ..., \"args\": {...}}");
        }
        JsonNode name = tree.get("name");
        if (name == null || name.isNull()) {
            throw ApiError.badRequest(DecodeError.MISSING_FIELD.code(), "name is required");
        }
        if (!name.isTextual()) {
            throw ApiError.badRequest(DecodeError.WRONG_TYPE.code(), "name must be a string");
        }
        Map<String, Value> args = new LinkedHashMap<>();
        JsonNode a = tree.get("args");
        if (a != null && !a.isNull()) {
            if (!a.isObject()) {
                throw ApiError.badRequest(DecodeError.WRONG_TYPE.code(), "args must be an object");
            }
            for (Map.Entry<String, JsonNode> e : a.properties()) {
                args.put(e.getKey(), scalar("args." + e.getKey(), e.getValue()));
            }
        }
        return new Parsed(name.textValue(), args);
    }

    /** A number, boolean or string as a {@link Value}; anything else is refused naming the field. */
    static Value scalar(String path, JsonNode v) {
        if (v.isNumber() && Double.isFinite(v.doubleValue())) {
            return new Value.Num(v.doubleValue());
        } else if (v.isBoolean()) {
            return new Value.Bool(v.booleanValue());
        } else if (v.isTextual()) {
            return new Value.Text(v.textValue());
        }
        throw ApiError.badRequest(DecodeError.WRONG_TYPE.code(),
                ApiParams.printable(path) + " must be a number, boolean or string");
    }
}

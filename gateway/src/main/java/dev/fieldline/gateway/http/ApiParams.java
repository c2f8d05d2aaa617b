package dev.fieldline.gateway.http;

import dev.fieldline.protocol.DeviceIds;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Reading and checking query and path parameters; every refusal names the parameter. */
final class ApiParams {
    private ApiParams() {
    }

    static Optional<String> text(Context ctx, String name) {
        String v = ctx.queryParam(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    static Optional<String> device(Context ctx, String name) {
        return text(ctx, name).map(v -> requireDevice(v, name));
    }

    static String requireDevice(String value, String name) {
        if (!DeviceIds.isValid(value)) {
            throw ApiError.badRequest("invalid_device", name + " '" + printable(value)
                    + "' is not a device id (1-64 of A-Z a-z 0-9 . _ -, starting with a letter or digit)");
        }
        return value;
    }

    /** An instant as ISO-8601 ({@code 2025-03-01T12:00:00Z}, offsets allowed) or epoch milliseconds. */
    static Optional<Instant> time(Context ctx, String name) {
        return text(ctx, name).map(v -> {
            try {
                if (v.matches("-?\\d{1,18}")) {
                    return Instant.ofEpochMilli(Long.parseLong(v));
                }
                return OffsetDateTime.parse(v).toInstant();
            } catch (DateTimeParseException | NumberFormatException e) {
                throw ApiError.badRequest("bad_parameter",
                        name + " must be ISO-8601 (e.g. 2025-03-01T12:00:00Z) or epoch milliseconds, was '" + printable(v) + "'");
            }
        });
    }

    static int limit(Context ctx, int otherwise, int max) {
        Optional<String> v = text(ctx, "limit");
        if (v.isEmpty()) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(v.get());
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw ApiError.badRequest("bad_parameter", "limit must be an integer from 1 to " + max + ", was '" + printable(v.get()) + "'");
    }

    /** At most 64 characters of a client's text, for error messages. */
    static String printable(String s) {
        String t = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }
}

package dev.fieldline.gateway.http;

import dev.fieldline.gateway.GatewayException;

/** A request the API refuses: rendered as {@code {"error": code, "message": ...}} with the status. */
class ApiError extends GatewayException {
    private static final long serialVersionUID = 1L;
    private final int status;

    ApiError(int status, String code, String message) {
        super(code, message);
        this.status = status;
    }

    int status() {
        return status;
    }

    static ApiError badRequest(String code, String message) {
        return new ApiError(400, code, message);
    }

    static ApiError notFound(String message) {
        return new ApiError(404, "not_found", message);
    }
}

package dev.fieldline.gateway.security;

import dev.fieldline.gateway.GatewayException;

/**
 * The gateway's own key material cannot be created or read: code {@code key_files} (missing,
 * readable by others, corrupt). The message names the file, never its content.
 */
public final class SecurityFilesException extends GatewayException {
    private static final long serialVersionUID = 1L;

    public SecurityFilesException(String message, Throwable cause) {
        super("key_files", message, cause);
    }

    public SecurityFilesException(String message) {
        super("key_files", message);
    }
}

package dev.fieldline.gateway.rules;

import dev.fieldline.gateway.GatewayException;

/**
 * A rule or rules document was refused ({@code invalid_rule}), a rule id is unknown
 * ({@code unknown_rule}) or already taken ({@code duplicate_rule}), or the rules file could not be
 * read or written ({@code rules_file}). The message names the rule, the field and what would be valid.
 */
public final class RuleException extends GatewayException {
    private static final long serialVersionUID = 1L;

    public static final String INVALID = "invalid_rule";
    public static final String UNKNOWN = "unknown_rule";
    public static final String DUPLICATE = "duplicate_rule";
    public static final String FILE = "rules_file";

    public RuleException(String code, String message) {
        super(code, message);
    }

    public RuleException(String code, String message, Throwable cause) {
        super(code, message, cause);
    }
}

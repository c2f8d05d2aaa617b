package dev.fieldline.protocol.internal;

import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.DecodeException;

/** SenML name rules (RFC 8428 §4.5.1), used for record names and for map keys. */
public final class Names {
    private Names() {
    }

    /**
     * True if the name is non-empty, starts with a letter or digit and has only
     * {@code A-Z a-z 0-9 - : . / _}.
     */
    public static boolean isValid(String name) {
        if (name == null || name.isEmpty() || !isAlnum(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isAlnum(c) && c != '-' && c != ':' && c != '.' && c != '/' && c != '_') {
                return false;
            }
        }
        return true;
    }

    public static String requireName(String name, String path, int maxLength) {
        if (name.length() > maxLength) {
            throw new DecodeException(DecodeError.INVALID_NAME,
                    path + " is " + name.length() + " characters, limit " + maxLength);
        }
        if (!isValid(name)) {
            throw new DecodeException(DecodeError.INVALID_NAME, path + " '" + printable(name)
                    + "' must start with a letter or digit and use only A-Z a-z 0-9 - : . / _");
        }
        return name;
    }

    /** A name made safe to put in a log line or error message. */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 64));
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return s.length() > 64 ? b + "..." : b.toString();
    }

    private static boolean isAlnum(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }
}

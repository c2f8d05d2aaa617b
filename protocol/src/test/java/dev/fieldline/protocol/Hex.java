package dev.fieldline.protocol;

import java.util.HexFormat;

/** Hex for test vectors: whitespace is ignored, and so is anything after ';' on a line (annotations). */
final class Hex {
    private Hex() {
    }

    static byte[] bytes(String annotatedHex) {
        StringBuilder digits = new StringBuilder();
        for (String line : annotatedHex.split("\n", -1)) {
            int comment = line.indexOf(';');
            digits.append((comment < 0 ? line : line.substring(0, comment)).replaceAll("\\s+", ""));
        }
        return HexFormat.of().parseHex(digits.toString());
    }

    static String of(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}

package dev.fieldline.protocol.cose;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;

/**
 * Hand-assembled CBOR for COSE test cases: heads and byte strings written byte by byte, so that a
 * test can build exactly the wrong structure it needs (which no encoder would produce).
 */
final class CoseCbor {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static CoseCbor of() {
        return new CoseCbor();
    }

    CoseCbor hex(String hex) {
        out.writeBytes(HexFormat.of().parseHex(hex.replace(" ", "")));
        return this;
    }

    /** A head: major type and argument, shortest form. */
    CoseCbor head(int major, long argument) {
        int m = major << 5;
        if (argument < 24) {
            out.write(m | (int) argument);
        } else if (argument < 0x100) {
            out.write(m | 24);
            out.write((int) argument);
        } else if (argument < 0x10000) {
            out.write(m | 25);
            out.write((int) (argument >> 8));
            out.write((int) argument);
        } else {
            out.write(m | 26);
            for (int shift = 24; shift >= 0; shift -= 8) {
                out.write((int) (argument >> shift));
            }
        }
        return this;
    }

    CoseCbor bstr(byte[] bytes) {
        head(2, bytes.length);
        out.writeBytes(bytes);
        return this;
    }

    CoseCbor array(int size) {
        return head(4, size);
    }

    CoseCbor map(int size) {
        return head(5, size);
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** A COSE_Sign1 from its four parts; {@code unprotectedMap} is a complete CBOR map in hex. */
    static byte[] sign1(String tagHex, byte[] protectedHeader, String unprotectedMap, byte[] payload, byte[] signature) {
        return of().hex(tagHex).array(4).bstr(protectedHeader).hex(unprotectedMap).bstr(payload).bstr(signature).bytes();
    }

    /** The map {4: kid}. */
    static String kidMap(byte[] kid) {
        return HexFormat.of().formatHex(of().map(1).hex("04").bstr(kid).bytes());
    }
}

package dev.fieldline.protocol.cose;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * ECDSA signature formats for interop tests: COSE carries r || s (IEEE P1363, 64 bytes for P-256),
 * OpenSSL reads and writes the DER SEQUENCE { INTEGER r, INTEGER s } (RFC 3279 §2.2.3).
 */
final class EcdsaDer {
    private EcdsaDer() {
    }

    static byte[] toDer(byte[] p1363) {
        byte[] r = new BigInteger(1, Arrays.copyOfRange(p1363, 0, 32)).toByteArray();
        byte[] s = new BigInteger(1, Arrays.copyOfRange(p1363, 32, 64)).toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        out.write(4 + r.length + s.length); // at most 70: short form
        out.write(0x02);
        out.write(r.length);
        out.writeBytes(r);
        out.write(0x02);
        out.write(s.length);
        out.writeBytes(s);
        return out.toByteArray();
    }

    static byte[] toP1363(byte[] der) {
        if (der[0] != 0x30 || der[2] != 0x02) {
            throw new IllegalArgumentException("not a DER ECDSA signature");
        }
        int rLen = der[3];
        BigInteger r = new BigInteger(Arrays.copyOfRange(der, 4, 4 + rLen));
        int sAt = 4 + rLen;
        if (der[sAt] != 0x02) {
            throw new IllegalArgumentException("not a DER ECDSA signature");
        }
        BigInteger s = new BigInteger(Arrays.copyOfRange(der, sAt + 2, sAt + 2 + der[sAt + 1]));
        byte[] out = new byte[64];
        CoseKeys.unsigned(r, out, 0);
        CoseKeys.unsigned(s, out, 32);
        return out;
    }
}

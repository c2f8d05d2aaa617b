package dev.fieldline.protocol.cose;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.DecodeException;
import dev.fieldline.protocol.DecodeLimits;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.internal.Parsers;
import dev.fieldline.protocol.internal.StrictReader;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * COSE_Sign1 (RFC 9052 §4.2) with ES256 (ECDSA P-256 with SHA-256, RFC 9053 §2.1): the envelope of
 * a signed Fieldline uplink.
 *
 * <pre>
 * COSE_Sign1 = #6.18([            ; tag 18 when we write; an untagged array is accepted too
 *     protected   : bstr .cbor {1: -7},   ; alg ES256, always in the protected header
 *     unprotected : {4: bstr},            ; kid, 1 to 64 bytes
 *     payload     : bstr,                 ; SenML CBOR; never detached (nil)
 *     signature   : bstr .size 64         ; r || s, 32 bytes each (IEEE P1363)
 * ])
 * Sig_structure = ["Signature1", protected, h'', payload]   ; external_aad is empty
 * </pre>
 *
 * <p>The decoder is strict: a protected header without alg -7 ({@code missing_field},
 * {@code unsupported_algorithm}), alg in the unprotected header ({@code unsupported_algorithm}), any
 * {@code crit} header ({@code unknown_must_understand}: we understand no extension), kid in both
 * headers or neither, other tags than 18, wrong array sizes or types ({@code malformed},
 * {@code wrong_type}), payloads above {@link DecodeLimits#maxPayloadBytes()} ({@code too_large}).
 * Header parameters it does not know and that are not critical are ignored (RFC 9052 §3). As in the
 * SenML decoder, a text label spelled like an integer ("1") is read as that integer label, because
 * Jackson's CBOR parser reports both alike.
 *
 * <p>Signatures: {@link #sign} normalises s to the lower half of the group order ("low s"), so each
 * message we write has one canonical signature. {@link #verify} accepts high s too, as the JDK,
 * OpenSSL and most COSE libraries do: ECDSA signatures are malleable (r, n − s verifies as well as
 * r, s), but nothing in Fieldline keys on signature bytes; replay protection uses the
 * {@code (bootId, seq)} inside the signed payload. Thread-safe.
 */
public final class CoseSign1 {
    /** CBOR tag of COSE_Sign1. */
    public static final int TAG = 18;
    /** COSE algorithm id of ES256. */
    public static final int ES256 = -7;
    /** Longest accepted key id. */
    public static final int MAX_KID_BYTES = 64;
    /** Length of an ES256 signature: r and s, 32 bytes each. */
    public static final int SIGNATURE_BYTES = 64;
    /** Longest accepted protected header. */
    public static final int MAX_PROTECTED_BYTES = 256;
    /** What the envelope may add to the payload's size: headers, kid, signature, CBOR heads. */
    public static final int MAX_ENVELOPE_OVERHEAD = 1024;

    /** The protected header we write: the CBOR map {1: -7}. */
    private static final byte[] PROTECTED_ES256 = {(byte) 0xa1, 0x01, 0x26};
    private static final String CONTEXT = "Signature1";
    private static final String JCA_ALGORITHM = "SHA256withECDSAinP1363Format";
    private static final String ALG = "1";
    private static final String CRIT = "2";
    private static final String KID = "4";

    /** Writes Sig_structures; writing has no limits, so any instance serves. */
    private static final Parsers SIG_STRUCTURE_WRITER = new Parsers(DecodeLimits.DEFAULT);

    private final DecodeLimits limits;
    private final Parsers parsers;

    public CoseSign1() {
        this(DecodeLimits.DEFAULT);
    }

    /** {@code limits.maxPayloadBytes()} bounds the signed payload; the envelope may add {@value #MAX_ENVELOPE_OVERHEAD}. */
    public CoseSign1(DecodeLimits limits) {
        if (limits == null) {
            throw new IllegalArgumentException("limits must not be null");
        }
        this.limits = limits;
        int envelope = limits.maxPayloadBytes() + MAX_ENVELOPE_OVERHEAD;
        this.parsers = new Parsers(new DecodeLimits(envelope, limits.maxRecords(), limits.maxNameLength(),
                limits.maxStringLength(), envelope, limits.maxAttributes()));
    }

    /** True if the bytes are a COSE_Sign1 envelope; see {@link PayloadFormat#isCoseSign1}. */
    public static boolean looksSigned(byte[] bytes) {
        return PayloadFormat.isCoseSign1(bytes);
    }

    public DecodeLimits limits() {
        return limits;
    }

    /**
     * Signs {@code payload} with {@code key} (EC P-256) and returns the tagged COSE_Sign1 with
     * {@code kid} in the unprotected header.
     */
    public byte[] sign(byte[] payload, byte[] kid, PrivateKey key) {
        if (payload == null) {
            throw new IllegalArgumentException("payload must not be null");
        }
        if (payload.length > limits.maxPayloadBytes()) {
            throw new IllegalArgumentException("payload is " + payload.length + " bytes, limit " + limits.maxPayloadBytes());
        }
        if (kid == null || kid.length == 0 || kid.length > MAX_KID_BYTES) {
            throw new IllegalArgumentException("kid must be 1 to " + MAX_KID_BYTES + " bytes");
        }
        CoseKeys.requireP256(key, "key");
        byte[] signature;
        try {
            Signature s = Signature.getInstance(JCA_ALGORITHM);
            s.initSign(key);
            s.update(toBeSigned(PROTECTED_ES256, payload));
            signature = lowS(s.sign());
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("key cannot sign: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(JCA_ALGORITHM + " failed", e);
        }
        return parsers.write(PayloadFormat.CBOR, g -> {
            ((CBORGenerator) g).writeTag(TAG);
            g.writeStartArray(null, 4);
            g.writeBinary(PROTECTED_ES256);
            g.writeStartObject(null, 1);
            g.writeFieldId(4);
            g.writeBinary(kid);
            g.writeEndObject();
            g.writeBinary(payload);
            g.writeBinary(signature);
            g.writeEndArray();
        });
    }

    /** The CBOR Sig_structure ["Signature1", protected, h'', payload] (RFC 9052 §4.4), definite lengths. */
    public static byte[] toBeSigned(byte[] protectedHeader, byte[] payload) {
        return SIG_STRUCTURE_WRITER.write(PayloadFormat.CBOR, g -> {
            g.writeStartArray(null, 4);
            g.writeString(CONTEXT);
            g.writeBinary(protectedHeader);
            g.writeBinary(new byte[0]);
            g.writeBinary(payload);
            g.writeEndArray();
        });
    }

    /** If s is in the upper half of the group order, replaces it with n − s (same validity). */
    private static byte[] lowS(byte[] p1363) {
        BigInteger n = CoseKeys.order();
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(p1363, CoseKeys.COORDINATE_BYTES, SIGNATURE_BYTES));
        if (s.compareTo(n.shiftRight(1)) > 0) {
            byte[] out = p1363.clone();
            Arrays.fill(out, CoseKeys.COORDINATE_BYTES, SIGNATURE_BYTES, (byte) 0);
            CoseKeys.unsigned(n.subtract(s), out, CoseKeys.COORDINATE_BYTES);
            return out;
        }
        return p1363;
    }

    /** Decodes the structure (no signature check); throws {@link DecodeException} for anything else. */
    public SignedMessage decode(byte[] cose) {
        if (cose == null) {
            throw new IllegalArgumentException("cose must not be null");
        }
        StrictReader in = new StrictReader(parsers.open(cose, PayloadFormat.CBOR), parsers.limits(), true);
        JsonToken t = in.next();
        if (t != JsonToken.START_ARRAY) {
            throw new DecodeException(DecodeError.MALFORMED, "a COSE_Sign1 is an array, found " + describe(t));
        }
        int tag = ((CBORParser) in.parser()).getCurrentTag();
        if (tag != -1 && tag != TAG || ((CBORParser) in.parser()).getCurrentTags().size() > 1) {
            throw new DecodeException(DecodeError.MALFORMED, "COSE_Sign1 must carry tag " + TAG + " or none, found tag " + tag);
        }
        byte[] protectedHeader = bytes(in, "protected");
        if (protectedHeader.length > MAX_PROTECTED_BYTES) {
            throw new DecodeException(DecodeError.LIMIT_EXCEEDED,
                    "protected header is " + protectedHeader.length + " bytes, limit " + MAX_PROTECTED_BYTES);
        }
        byte[] unprotectedKid = unprotected(in);
        t = in.next();
        if (t == JsonToken.VALUE_NULL) {
            throw new DecodeException(DecodeError.MALFORMED, "detached payloads are not accepted");
        }
        byte[] payload = bytes(in, t, "payload");
        if (payload.length > limits.maxPayloadBytes()) {
            throw new DecodeException(DecodeError.TOO_LARGE,
                    "payload is " + payload.length + " bytes, limit " + limits.maxPayloadBytes());
        }
        byte[] signature = bytes(in, "signature");
        if (signature.length != SIGNATURE_BYTES) {
            throw new DecodeException(DecodeError.BAD_SIGNATURE,
                    "an ES256 signature is " + SIGNATURE_BYTES + " bytes, found " + signature.length);
        }
        t = in.next();
        if (t != JsonToken.END_ARRAY) {
            throw new DecodeException(DecodeError.MALFORMED, "a COSE_Sign1 is an array of 4, found more");
        }
        in.expectEnd();
        byte[] protectedKid = protectedHeader(protectedHeader);
        if (protectedKid != null && unprotectedKid != null) {
            throw new DecodeException(DecodeError.MALFORMED, "kid is in both the protected and the unprotected header");
        }
        byte[] kid = protectedKid != null ? protectedKid : unprotectedKid;
        if (kid == null) {
            throw new DecodeException(DecodeError.MISSING_FIELD, "kid (header 4) is missing");
        }
        return new SignedMessage(protectedHeader, kid, payload, signature);
    }

    /** Reads the unprotected header map; returns the kid or null. */
    private byte[] unprotected(StrictReader in) {
        JsonToken t = in.next();
        if (t != JsonToken.START_OBJECT) {
            throw malformedElement("unprotected header", "a map", t);
        }
        requireUntagged(in, "unprotected header");
        byte[] kid = null;
        while ((t = in.next()) != JsonToken.END_OBJECT) {
            if (t != JsonToken.FIELD_NAME) {
                throw new DecodeException(DecodeError.MALFORMED, "unprotected header: expected a label, found " + describe(t));
            }
            switch (in.fieldName()) {
                case ALG -> throw new DecodeException(DecodeError.UNSUPPORTED_ALGORITHM,
                        "alg must be in the protected header, not the unprotected one");
                case CRIT -> throw new DecodeException(DecodeError.MALFORMED, "crit must be in the protected header");
                case KID -> kid = kid(in, "unprotected header kid");
                default -> in.skipValue();
            }
        }
        return kid;
    }

    /** Parses the protected header bytes; requires alg ES256, refuses crit; returns a kid or null. */
    private byte[] protectedHeader(byte[] header) {
        if (header.length == 0) {
            throw new DecodeException(DecodeError.MISSING_FIELD, "the protected header is empty: alg (header 1) is missing");
        }
        StrictReader in = new StrictReader(parsers.open(header, PayloadFormat.CBOR), parsers.limits(), true);
        JsonToken t = in.next();
        if (t != JsonToken.START_OBJECT) {
            throw malformedElement("protected header", "a map", t);
        }
        requireUntagged(in, "protected header");
        boolean alg = false;
        byte[] kid = null;
        while ((t = in.next()) != JsonToken.END_OBJECT) {
            if (t != JsonToken.FIELD_NAME) {
                throw new DecodeException(DecodeError.MALFORMED, "protected header: expected a label, found " + describe(t));
            }
            switch (in.fieldName()) {
                case ALG -> {
                    algorithm(in);
                    alg = true;
                }
                case CRIT -> throw new DecodeException(DecodeError.UNKNOWN_MUST_UNDERSTAND,
                        "the protected header lists critical headers (crit); none is understood");
                case KID -> kid = kid(in, "protected header kid");
                default -> in.skipValue();
            }
        }
        in.expectEnd();
        if (!alg) {
            throw new DecodeException(DecodeError.MISSING_FIELD, "alg (header 1) is missing from the protected header");
        }
        return kid;
    }

    private static void algorithm(StrictReader in) {
        JsonToken t = in.next();
        requireUntagged(in, "alg");
        if (t == JsonToken.VALUE_STRING) {
            throw new DecodeException(DecodeError.UNSUPPORTED_ALGORITHM, "alg must be ES256 (-7), found a text alg");
        }
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw new DecodeException(DecodeError.WRONG_TYPE, "alg must be an integer, found " + describe(t));
        }
        long alg;
        try {
            alg = in.parser().getNumberType() == com.fasterxml.jackson.core.JsonParser.NumberType.BIG_INTEGER
                    ? Long.MIN_VALUE : in.parser().getLongValue();
        } catch (java.io.IOException e) {
            throw new DecodeException(DecodeError.WRONG_TYPE, "alg is not a valid integer", e);
        }
        if (alg != ES256) {
            throw new DecodeException(DecodeError.UNSUPPORTED_ALGORITHM,
                    "alg must be ES256 (-7), found " + (alg == Long.MIN_VALUE ? "a big integer" : alg));
        }
    }

    private static byte[] kid(StrictReader in, String path) {
        byte[] kid = bytes(in, path);
        if (kid.length == 0 || kid.length > MAX_KID_BYTES) {
            throw new DecodeException(kid.length == 0 ? DecodeError.WRONG_TYPE : DecodeError.LIMIT_EXCEEDED,
                    path + " must be 1 to " + MAX_KID_BYTES + " bytes, found " + kid.length);
        }
        return kid;
    }

    private static byte[] bytes(StrictReader in, String path) {
        return bytes(in, in.next(), path);
    }

    /** The byte string {@code t} starts; anything else (a text string, a tagged value) is refused. */
    private static byte[] bytes(StrictReader in, JsonToken t, String path) {
        if (t != JsonToken.VALUE_EMBEDDED_OBJECT) {
            throw malformedElement(path, "a byte string", t);
        }
        requireUntagged(in, path);
        try {
            byte[] b = in.parser().getBinaryValue();
            if (b == null) {
                throw new DecodeException(DecodeError.WRONG_TYPE, path + " must be a byte string");
            }
            return b;
        } catch (java.io.IOException e) {
            throw new DecodeException(DecodeError.MALFORMED, path + ": " + e.getMessage(), e);
        }
    }

    private static void requireUntagged(StrictReader in, String path) {
        int tag = ((CBORParser) in.parser()).getCurrentTag();
        if (tag != -1) {
            throw new DecodeException(DecodeError.MALFORMED, path + " must not be tagged, found tag " + tag);
        }
    }

    private static DecodeException malformedElement(String path, String expected, JsonToken found) {
        DecodeError reason = found == null || found == JsonToken.END_ARRAY || found == JsonToken.END_OBJECT
                ? DecodeError.MALFORMED : DecodeError.WRONG_TYPE;
        return new DecodeException(reason, path + " must be " + expected + ", found " + describe(found));
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "end of input";
        }
        return switch (t) {
            case END_ARRAY -> "the end of the array";
            case END_OBJECT -> "the end of the map";
            case START_ARRAY -> "an array";
            case START_OBJECT -> "a map";
            case VALUE_STRING -> "a text string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case VALUE_EMBEDDED_OBJECT -> "a byte string";
            default -> t.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /**
     * Checks the signature of a decoded message with {@code key} (EC P-256); throws
     * {@link DecodeException} with {@code bad_signature} when it does not verify.
     */
    public void verify(SignedMessage message, PublicKey key) {
        if (message == null) {
            throw new IllegalArgumentException("message must not be null");
        }
        CoseKeys.requireP256(key, "key");
        byte[] signature = message.signature();
        if (signature.length != SIGNATURE_BYTES) {
            throw new DecodeException(DecodeError.BAD_SIGNATURE,
                    "an ES256 signature is " + SIGNATURE_BYTES + " bytes, found " + signature.length);
        }
        boolean valid;
        try {
            Signature s = Signature.getInstance(JCA_ALGORITHM);
            s.initVerify(key);
            s.update(message.toBeSigned());
            valid = s.verify(signature);
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("key cannot verify: " + e.getMessage(), e);
        } catch (SignatureException e) {
            valid = false; // r or s out of range: not a signature at all
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(JCA_ALGORITHM + " failed", e);
        }
        if (!valid) {
            throw new DecodeException(DecodeError.BAD_SIGNATURE,
                    "the signature does not verify with key " + HexFormat.of().formatHex(message.kid()));
        }
    }

    /**
     * Decodes {@code cose}, finds the key its kid names ({@code unknown_key} when there is none) and
     * checks the signature ({@code bad_signature}); returns the verified message.
     */
    public SignedMessage verify(byte[] cose, KeyResolver keys) {
        if (keys == null) {
            throw new IllegalArgumentException("keys must not be null");
        }
        SignedMessage message = decode(cose);
        PublicKey key = keys.find(message.kid()).orElseThrow(() -> new DecodeException(DecodeError.UNKNOWN_KEY,
                "no key with id " + HexFormat.of().formatHex(message.kid())));
        verify(message, key);
        return message;
    }
}

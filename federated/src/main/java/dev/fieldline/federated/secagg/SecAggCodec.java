package dev.fieldline.federated.secagg;

import dev.fieldline.federated.secagg.SecAggFormatException.Defect;
import dev.fieldline.federated.secagg.SecAggMessage.AdvertiseKeys;
import dev.fieldline.federated.secagg.SecAggMessage.EncryptedShare;
import dev.fieldline.federated.secagg.SecAggMessage.KeyDirectory;
import dev.fieldline.federated.secagg.SecAggMessage.MaskedInput;
import dev.fieldline.federated.secagg.SecAggMessage.PeerKeys;
import dev.fieldline.federated.secagg.SecAggMessage.RevealedShare;
import dev.fieldline.federated.secagg.SecAggMessage.Setup;
import dev.fieldline.federated.secagg.SecAggMessage.ShareDelivery;
import dev.fieldline.federated.secagg.SecAggMessage.ShareKeys;
import dev.fieldline.federated.secagg.SecAggMessage.ShareKind;
import dev.fieldline.federated.secagg.SecAggMessage.UnmaskRequest;
import dev.fieldline.federated.secagg.SecAggMessage.UnmaskResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary form of {@link SecAggMessage}s. Every message starts with a version byte (1), a type
 * byte and the session (8 bytes, big-endian); client indices are 2 bytes (1..n), list counts 2 bytes,
 * lists in strictly increasing order of client index, keys 32 bytes, share ciphertexts
 * {@value EncryptedShare#BYTES} bytes, share values 33 bytes below the prime of {@link Shamir}, and a
 * masked vector is its bit width (1 byte), its length (4 bytes) and bits/8 little-endian bytes per
 * coordinate. The form is canonical: what decodes encodes again to the same bytes.
 *
 * <pre>
 * 0 Setup          clients, threshold, length (4 bytes), clip, scale (IEEE 754 doubles), maxExamples (8 bytes),
 *                  bits, rounding (0 nearest, 1 stochastic)
 * 1 AdvertiseKeys  from, cPublic, sPublic
 * 2 KeyDirectory   count, count × (index, cPublic, sPublic)
 * 3 ShareKeys      from, count, count × (to, ciphertext)
 * 4 ShareDelivery  to, count, count × (from, ciphertext)
 * 5 MaskedInput    from, bits, length, length × coordinate
 * 6 UnmaskRequest  count, count × survivor, count, count × dropped
 * 7 UnmaskResponse from, count, count × (about, kind 1=self-mask 2=mask-key, share)
 * </pre>
 *
 * The decoder refuses with {@link SecAggFormatException} anything else, and inputs beyond its
 * {@link Limits}.
 */
public final class SecAggCodec {
    public static final int VERSION = 1;
    static final int HEADER = 10;

    /**
     * @param maxClients largest client index and list count accepted
     * @param maxLength longest masked vector accepted (coordinates)
     */
    public record Limits(int maxClients, int maxLength) {
        public static final Limits DEFAULT = new Limits(1_000, 4_000_000);

        public Limits {
            if (maxClients < 2 || maxClients > SecAggParams.MAX_CLIENTS) {
                throw new IllegalArgumentException("maxClients must be in 2.." + SecAggParams.MAX_CLIENTS + ", was "
                        + maxClients);
            }
            if (maxLength < 1 || maxLength > (Integer.MAX_VALUE - HEADER - 8) / 7) {
                throw new IllegalArgumentException("maxLength out of range: " + maxLength);
            }
        }

        /** The largest message these limits admit. */
        public int maxBytes() {
            long lists = HEADER + 4 + (long) maxClients * (2 + EncryptedShare.BYTES);
            long masked = HEADER + 7 + 7L * maxLength;
            return (int) Math.max(lists, masked);
        }
    }

    private final Limits limits;

    public SecAggCodec(Limits limits) {
        this.limits = limits;
    }

    public SecAggCodec() {
        this(Limits.DEFAULT);
    }

    public Limits limits() {
        return limits;
    }

    public byte[] encode(SecAggMessage message) {
        Out out;
        if (message instanceof Setup m) {
            SecAggParams p = m.params();
            Quantisation q = p.quantisation();
            out = new Out(HEADER + 34, 0, m.session());
            out.u16(p.clients()).u16(p.threshold()).u32(p.length()).u64(Double.doubleToRawLongBits(q.clip()))
                    .u64(Double.doubleToRawLongBits(q.scale())).u64(q.maxExamples()).u8(q.bits())
                    .u8(q.rounding().ordinal());
        } else if (message instanceof AdvertiseKeys m) {
            out = new Out(HEADER + 66, 1, m.session());
            out.u16(m.from()).bytes(m.cPublic()).bytes(m.sPublic());
        } else if (message instanceof KeyDirectory m) {
            out = new Out(HEADER + 2 + 66 * m.keys().size(), 2, m.session());
            out.u16(m.keys().size());
            for (PeerKeys k : m.keys()) {
                out.u16(k.index()).bytes(k.cPublic()).bytes(k.sPublic());
            }
        } else if (message instanceof ShareKeys m) {
            out = shares(3, m.session(), m.from(), m.shares());
        } else if (message instanceof ShareDelivery m) {
            out = shares(4, m.session(), m.to(), m.shares());
        } else if (message instanceof MaskedInput m) {
            int width = m.bits() / 8;
            long[] v = m.masked();
            out = new Out(HEADER + 7 + width * v.length, 5, m.session());
            out.u16(m.from()).u8(m.bits()).u32(v.length);
            for (long x : v) {
                out.le(x, width);
            }
        } else if (message instanceof UnmaskRequest m) {
            out = new Out(HEADER + 4 + 2 * (m.survivors().size() + m.dropped().size()), 6, m.session());
            out.u16(m.survivors().size());
            m.survivors().forEach(out::u16);
            out.u16(m.dropped().size());
            m.dropped().forEach(out::u16);
        } else if (message instanceof UnmaskResponse m) {
            out = new Out(HEADER + 4 + (3 + Shamir.SHARE_BYTES) * m.shares().size(), 7, m.session());
            out.u16(m.from()).u16(m.shares().size());
            for (RevealedShare s : m.shares()) {
                out.u16(s.about()).u8(s.kind() == ShareKind.SELF_MASK ? 1 : 2).bytes(s.share());
            }
        } else {
            throw new IllegalArgumentException("unknown message " + message.getClass());
        }
        return out.done();
    }

    private static Out shares(int type, long session, int index, List<EncryptedShare> shares) {
        Out out = new Out(HEADER + 4 + (2 + EncryptedShare.BYTES) * shares.size(), type, session);
        out.u16(index).u16(shares.size());
        for (EncryptedShare s : shares) {
            out.u16(s.peer()).bytes(s.ciphertext());
        }
        return out;
    }

    /** The message in {@code bytes}, or a {@link SecAggFormatException} saying what is wrong where. */
    public SecAggMessage decode(byte[] bytes) {
        if (bytes.length > limits.maxBytes()) {
            throw new SecAggFormatException(Defect.TOO_LARGE, 0, "message of " + bytes.length + " bytes, above the limit of "
                    + limits.maxBytes());
        }
        In in = new In(bytes);
        int version = in.u8();
        if (version != VERSION) {
            throw new SecAggFormatException(Defect.VERSION, 0, "format version " + version + ", expected " + VERSION);
        }
        int type = in.u8();
        long session = in.u64();
        SecAggMessage m;
        try {
            switch (type) {
                case 0 -> m = in.setup(session);
                case 1 -> m = new AdvertiseKeys(session, in.index(), in.bytes(32), in.bytes(32));
                case 2 -> {
                    int n = in.count();
                    List<PeerKeys> keys = new ArrayList<>(n);
                    int last = 0;
                    for (int i = 0; i < n; i++) {
                        int index = in.after(last);
                        keys.add(new PeerKeys(index, in.bytes(32), in.bytes(32)));
                        last = index;
                    }
                    m = new KeyDirectory(session, keys);
                }
                case 3 -> {
                    int from = in.index();
                    m = new ShareKeys(session, from, in.shares(from));
                }
                case 4 -> {
                    int to = in.index();
                    m = new ShareDelivery(session, to, in.shares(to));
                }
                case 5 -> m = in.masked(session);
                case 6 -> m = new UnmaskRequest(session, in.indices(), in.indices());
                case 7 -> {
                    int from = in.index();
                    int n = in.count();
                    List<RevealedShare> shares = new ArrayList<>(n);
                    int last = 0;
                    for (int i = 0; i < n; i++) {
                        int about = in.after(last);
                        int at = in.pos;
                        int kind = in.u8();
                        if (kind != 1 && kind != 2) {
                            throw new SecAggFormatException(Defect.VALUE, at, "share kind " + kind + ", expected 1 or 2");
                        }
                        at = in.pos;
                        byte[] share = in.bytes(Shamir.SHARE_BYTES);
                        if (!Shamir.belowPrime(share)) {
                            throw new SecAggFormatException(Defect.VALUE, at, "share value not below the prime");
                        }
                        shares.add(new RevealedShare(about, kind == 1 ? ShareKind.SELF_MASK : ShareKind.MASK_KEY, share));
                        last = about;
                    }
                    m = new UnmaskResponse(session, from, shares);
                }
                default -> throw new SecAggFormatException(Defect.TYPE, 1, "unknown message type " + type);
            }
        } catch (IllegalArgumentException e) {
            throw new SecAggFormatException(Defect.VALUE, in.pos, e.getMessage());
        }
        if (in.pos != bytes.length) {
            throw new SecAggFormatException(Defect.TRAILING, in.pos, (bytes.length - in.pos)
                    + " bytes after the end of the message");
        }
        return m;
    }

    private final class In {
        private final byte[] b;
        private int pos;

        In(byte[] b) {
            this.b = b;
        }

        private void need(int n) {
            if (b.length - pos < n) {
                throw new SecAggFormatException(Defect.TRUNCATED, pos, "input ends " + (n - (b.length - pos))
                        + " bytes short of a field");
            }
        }

        int u8() {
            need(1);
            return b[pos++] & 0xff;
        }

        int u16() {
            need(2);
            int v = (b[pos] & 0xff) << 8 | (b[pos + 1] & 0xff);
            pos += 2;
            return v;
        }

        long u32() {
            need(4);
            long v = 0;
            for (int i = 0; i < 4; i++) {
                v = v << 8 | (b[pos + i] & 0xff);
            }
            pos += 4;
            return v;
        }

        long u64() {
            need(8);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = v << 8 | (b[pos + i] & 0xff);
            }
            pos += 8;
            return v;
        }

        byte[] bytes(int n) {
            need(n);
            byte[] out = new byte[n];
            System.arraycopy(b, pos, out, 0, n);
            pos += n;
            return out;
        }

        int index() {
            int at = pos;
            int v = u16();
            if (v < 1 || v > limits.maxClients()) {
                throw new SecAggFormatException(v < 1 ? Defect.VALUE : Defect.TOO_LARGE, at, "client index " + v
                        + " not in 1.." + limits.maxClients());
            }
            return v;
        }

        /** An index above {@code last}. */
        int after(int last) {
            int at = pos;
            int v = index();
            if (v <= last) {
                throw new SecAggFormatException(Defect.ORDER, at, "client index " + v + " after " + last);
            }
            return v;
        }

        int count() {
            int at = pos;
            int n = u16();
            if (n > limits.maxClients()) {
                throw new SecAggFormatException(Defect.TOO_LARGE, at, "list of " + n + " clients, above the limit of "
                        + limits.maxClients());
            }
            return n;
        }

        List<Integer> indices() {
            int n = count();
            List<Integer> out = new ArrayList<>(n);
            int last = 0;
            for (int i = 0; i < n; i++) {
                last = after(last);
                out.add(last);
            }
            return out;
        }

        List<EncryptedShare> shares(int self) {
            int n = count();
            List<EncryptedShare> out = new ArrayList<>(n);
            int last = 0;
            for (int i = 0; i < n; i++) {
                int at = pos;
                int peer = after(last);
                if (peer == self) {
                    throw new SecAggFormatException(Defect.VALUE, at, "client " + self + " addresses itself");
                }
                out.add(new EncryptedShare(peer, bytes(EncryptedShare.BYTES)));
                last = peer;
            }
            return out;
        }

        Setup setup(long session) {
            int clients = index();
            int threshold = index();
            int at = pos;
            long length = u32();
            if (length > limits.maxLength()) {
                throw new SecAggFormatException(Defect.TOO_LARGE, at, "vector of " + length
                        + " coordinates, above the limit of " + limits.maxLength());
            }
            double clip = Double.longBitsToDouble(u64());
            double scale = Double.longBitsToDouble(u64());
            long maxExamples = u64();
            int bits = u8();
            at = pos;
            int rounding = u8();
            if (rounding > 1) {
                throw new SecAggFormatException(Defect.VALUE, at, "rounding " + rounding + ", expected 0 or 1");
            }
            try {
                return new Setup(new SecAggParams(session, clients, threshold, (int) length, new Quantisation(clip, scale,
                        maxExamples, bits, Quantisation.Rounding.values()[rounding])));
            } catch (SecAggException e) {
                throw new SecAggFormatException(Defect.VALUE, pos, e.getMessage());
            }
        }

        MaskedInput masked(long session) {
            int from = index();
            int at = pos;
            int bits = u8();
            if (bits < 8 || bits > 56 || bits % 8 != 0) {
                throw new SecAggFormatException(Defect.VALUE, at, "bit width " + bits + ", expected a multiple of 8 in 8..56");
            }
            at = pos;
            long length = u32();
            if (length > limits.maxLength()) {
                throw new SecAggFormatException(Defect.TOO_LARGE, at, "vector of " + length + " coordinates, above the limit of "
                        + limits.maxLength());
            }
            int width = bits / 8;
            need((int) length * width);
            long[] v = new long[(int) length];
            for (int i = 0; i < v.length; i++) {
                long x = 0;
                for (int k = width - 1; k >= 0; k--) {
                    x = x << 8 | (b[pos + k] & 0xff);
                }
                v[i] = x;
                pos += width;
            }
            return new MaskedInput(session, from, bits, v);
        }
    }

    private static final class Out {
        private final byte[] b;
        private int pos;

        Out(int size, int type, long session) {
            b = new byte[size];
            u8(VERSION);
            u8(type);
            for (int i = 0; i < 8; i++) {
                u8((int) (session >>> (56 - 8 * i)));
            }
        }

        Out u8(int v) {
            b[pos++] = (byte) v;
            return this;
        }

        Out u16(int v) {
            b[pos++] = (byte) (v >>> 8);
            b[pos++] = (byte) v;
            return this;
        }

        Out u64(long v) {
            for (int i = 0; i < 8; i++) {
                b[pos++] = (byte) (v >>> (56 - 8 * i));
            }
            return this;
        }

        Out u32(int v) {
            for (int i = 0; i < 4; i++) {
                b[pos++] = (byte) (v >>> (24 - 8 * i));
            }
            return this;
        }

        Out le(long v, int width) {
            for (int i = 0; i < width; i++) {
                b[pos++] = (byte) (v >>> (8 * i));
            }
            return this;
        }

        Out bytes(byte[] v) {
            System.arraycopy(v, 0, b, pos, v.length);
            pos += v.length;
            return this;
        }

        byte[] done() {
            if (pos != b.length) {
                throw new IllegalStateException("encoded " + pos + " of " + b.length + " bytes");
            }
            return b;
        }
    }
}

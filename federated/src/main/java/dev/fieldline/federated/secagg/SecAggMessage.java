package dev.fieldline.federated.secagg;

import java.util.Arrays;
import java.util.List;

/**
 * The messages of the four rounds (Bonawitz et al. 2017, semi-honest server), each tagged with its
 * session. Clients are named by their index 1..n in the session. {@link SecAggCodec} gives each a
 * compact binary form. Arrays passed in are copied, except the masked vector of {@link MaskedInput},
 * which the message owns.
 */
public sealed interface SecAggMessage {

    long session();

    /**
     * Before round 0, server → every selected client (with the round announcement, which maps the
     * indices 1..n to client ids): the session's parameters.
     */
    record Setup(SecAggParams params) implements SecAggMessage {
        public Setup {
            if (params == null) {
                throw new IllegalArgumentException("params must not be null");
            }
        }

        @Override
        public long session() {
            return params.session();
        }
    }

    /** Round 0, client → server: its two X25519 public keys, c (encryption) and s (masking). */
    record AdvertiseKeys(long session, int from, byte[] cPublic, byte[] sPublic) implements SecAggMessage {
        public AdvertiseKeys {
            checkIndex("from", from);
            cPublic = key("cPublic", cPublic);
            sPublic = key("sPublic", sPublic);
        }

        public PeerKeys keys() {
            return new PeerKeys(from, cPublic, sPublic);
        }

        @Override
        public byte[] cPublic() {
            return cPublic.clone();
        }

        @Override
        public byte[] sPublic() {
            return sPublic.clone();
        }
    }

    /** One client's advertised keys, as the server forwards them. */
    record PeerKeys(int index, byte[] cPublic, byte[] sPublic) {
        public PeerKeys {
            checkIndex("index", index);
            cPublic = key("cPublic", cPublic);
            sPublic = key("sPublic", sPublic);
        }

        @Override
        public byte[] cPublic() {
            return cPublic.clone();
        }

        @Override
        public byte[] sPublic() {
            return sPublic.clone();
        }

        boolean sameKeys(PeerKeys o) {
            return index == o.index && Arrays.equals(cPublic, o.cPublic) && Arrays.equals(sPublic, o.sPublic);
        }
    }

    /** Round 0, server → every client of U1: the keys of all clients that advertised, by increasing index. */
    record KeyDirectory(long session, List<PeerKeys> keys) implements SecAggMessage {
        public KeyDirectory {
            keys = List.copyOf(keys);
            increasing("keys", keys.stream().mapToInt(PeerKeys::index).toArray());
        }
    }

    /** A share ciphertext: nonce ‖ AES-GCM(from ‖ to ‖ s-key share ‖ b share) ‖ tag. */
    record EncryptedShare(int peer, byte[] ciphertext) {
        public static final int BYTES = SecAggCrypto.NONCE_BYTES + 4 + 2 * Shamir.SHARE_BYTES + SecAggCrypto.TAG_BYTES;

        public EncryptedShare {
            checkIndex("peer", peer);
            if (ciphertext.length != BYTES) {
                throw new IllegalArgumentException("a share ciphertext has " + BYTES + " bytes, was " + ciphertext.length);
            }
            ciphertext = ciphertext.clone();
        }

        @Override
        public byte[] ciphertext() {
            return ciphertext.clone();
        }
    }

    /** Round 1, client → server: one encrypted share pair for each other client of U1 ({@code peer} = recipient). */
    record ShareKeys(long session, int from, List<EncryptedShare> shares) implements SecAggMessage {
        public ShareKeys {
            checkIndex("from", from);
            shares = List.copyOf(shares);
            increasing("shares", shares.stream().mapToInt(EncryptedShare::peer).toArray());
            if (shares.stream().anyMatch(s -> s.peer() == from)) {
                throw new IllegalArgumentException("client " + from + " sends a share to itself");
            }
        }
    }

    /** Round 1, server → client {@code to}: the shares addressed to it ({@code peer} = sender), i.e. U2. */
    record ShareDelivery(long session, int to, List<EncryptedShare> shares) implements SecAggMessage {
        public ShareDelivery {
            checkIndex("to", to);
            shares = List.copyOf(shares);
            increasing("shares", shares.stream().mapToInt(EncryptedShare::peer).toArray());
            if (shares.stream().anyMatch(s -> s.peer() == to)) {
                throw new IllegalArgumentException("client " + to + " receives a share from itself");
            }
        }
    }

    /** Round 2, client → server: y = x + PRG(b) ± pairwise masks, each coordinate mod 2^bits. */
    record MaskedInput(long session, int from, int bits, long[] masked) implements SecAggMessage {
        public MaskedInput {
            checkIndex("from", from);
            if (bits < 8 || bits > 56 || bits % 8 != 0) {
                throw new IllegalArgumentException("bits must be a multiple of 8 in 8..56, was " + bits);
            }
            long limit = 1L << bits;
            for (long v : masked) {
                if (v < 0 || v >= limit) {
                    throw new IllegalArgumentException("masked value " + v + " is not below 2^" + bits);
                }
            }
        }
    }

    /**
     * Round 3, server → every client of U3: send b shares of the {@code survivors} (whose masked input
     * arrived, U3) and s-key shares of the {@code dropped} (in U2, not in U3).
     */
    record UnmaskRequest(long session, List<Integer> survivors, List<Integer> dropped) implements SecAggMessage {
        public UnmaskRequest {
            survivors = List.copyOf(survivors);
            dropped = List.copyOf(dropped);
            increasing("survivors", survivors.stream().mapToInt(Integer::intValue).toArray());
            increasing("dropped", dropped.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    enum ShareKind {
        /** A share of the self-mask seed b of a client whose masked input arrived. */
        SELF_MASK,
        /** A share of the s private key of a client that dropped before sending its masked input. */
        MASK_KEY
    }

    /** One revealed share: about which client, of which secret, the 33-byte value at the sender's x. */
    record RevealedShare(int about, ShareKind kind, byte[] share) {
        public RevealedShare {
            checkIndex("about", about);
            if (kind == null) {
                throw new IllegalArgumentException("kind must not be null");
            }
            if (share.length != Shamir.SHARE_BYTES) {
                throw new IllegalArgumentException("a share has " + Shamir.SHARE_BYTES + " bytes, was " + share.length);
            }
            share = share.clone();
        }

        @Override
        public byte[] share() {
            return share.clone();
        }
    }

    /** Round 3, client → server: one share per client asked about, by increasing index. */
    record UnmaskResponse(long session, int from, List<RevealedShare> shares) implements SecAggMessage {
        public UnmaskResponse {
            checkIndex("from", from);
            shares = List.copyOf(shares);
            increasing("shares", shares.stream().mapToInt(RevealedShare::about).toArray());
        }
    }

    private static void checkIndex(String name, int index) {
        if (index < 1 || index > SecAggParams.MAX_CLIENTS) {
            throw new IllegalArgumentException(name + " must be a client index in 1.." + SecAggParams.MAX_CLIENTS
                    + ", was " + index);
        }
    }

    private static byte[] key(String name, byte[] key) {
        if (key.length != SecAggCrypto.KEY_BYTES) {
            throw new IllegalArgumentException(name + " must have " + SecAggCrypto.KEY_BYTES + " bytes, was " + key.length);
        }
        return key.clone();
    }

    private static void increasing(String name, int[] indices) {
        for (int i = 0; i < indices.length; i++) {
            checkIndex(name, indices[i]);
            if (i > 0 && indices[i] <= indices[i - 1]) {
                throw new IllegalArgumentException(name + " must be in strictly increasing order of client index");
            }
        }
    }
}

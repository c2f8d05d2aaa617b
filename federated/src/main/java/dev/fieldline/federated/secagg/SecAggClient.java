package dev.fieldline.federated.secagg;

import dev.fieldline.federated.secagg.SecAggException.Reason;
import dev.fieldline.federated.secagg.SecAggMessage.AdvertiseKeys;
import dev.fieldline.federated.secagg.SecAggMessage.EncryptedShare;
import dev.fieldline.federated.secagg.SecAggMessage.KeyDirectory;
import dev.fieldline.federated.secagg.SecAggMessage.MaskedInput;
import dev.fieldline.federated.secagg.SecAggMessage.PeerKeys;
import dev.fieldline.federated.secagg.SecAggMessage.RevealedShare;
import dev.fieldline.federated.secagg.SecAggMessage.ShareDelivery;
import dev.fieldline.federated.secagg.SecAggMessage.ShareKeys;
import dev.fieldline.federated.secagg.SecAggMessage.ShareKind;
import dev.fieldline.federated.secagg.SecAggMessage.UnmaskRequest;
import dev.fieldline.federated.secagg.SecAggMessage.UnmaskResponse;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's side of a secure-aggregation session, as a state machine: each method takes the
 * server's message of the previous round and returns the client's message of the next, or throws a
 * {@link SecAggException}, after which the client is {@link State#ABORTED} and answers nothing more.
 * Not thread-safe.
 *
 * <ol>
 * <li>{@link #advertise()}: two fresh X25519 key pairs, c (to encrypt shares) and s (to agree masks).
 * <li>{@link #shareKeys}: t-of-n Shamir shares of the s private key and of a fresh self-mask seed b,
 *     for each client in the directory, each encrypted with AES-GCM under a key derived from the c keys.
 * <li>{@link #maskedInput}: decrypts the shares addressed to it (refusing any that fail authentication)
 *     and sends y = x + PRG(b) + Σ_{v&gt;u} PRG(s_uv) − Σ_{v&lt;u} PRG(s_uv) mod 2^bits over the
 *     clients v that sent it shares.
 * <li>{@link #unmask}: for each client asked about, the b share (survivor) or the s share (dropped),
 *     never both, never its own s share, at most once, and only if at least t survivors remain.
 * </ol>
 */
public final class SecAggClient {
    private static final Logger log = LoggerFactory.getLogger(SecAggClient.class);

    public enum State { NEW, ADVERTISED, SHARED, MASKED, DONE, ABORTED }

    private final SecAggParams params;
    private final int index;
    private final SecureRandom random;
    private State state = State.NEW;
    private KeyPair cKeys;
    private KeyPair sKeys;
    private byte[] selfMaskSeed;
    private byte[] ownCPublic;
    private byte[] ownSPublic;
    private Map<Integer, PeerKeys> directory;
    /** Shares held for each client of U2 (its own included): [0] = s-key share, [1] = b share. */
    private final Map<Integer, byte[][]> held = new TreeMap<>();

    public SecAggClient(SecAggParams params, int index, SecureRandom random) {
        if (index < 1 || index > params.clients()) {
            throw new IllegalArgumentException("index must be in 1.." + params.clients() + ", was " + index);
        }
        this.params = params;
        this.index = index;
        this.random = random;
    }

    public int index() {
        return index;
    }

    public State state() {
        return state;
    }

    /** Round 0: fresh c and s key pairs. */
    public AdvertiseKeys advertise() {
        expect(State.NEW, "advertise");
        cKeys = SecAggCrypto.x25519(random);
        sKeys = SecAggCrypto.x25519(random);
        ownCPublic = SecAggCrypto.publicBytes(cKeys.getPublic());
        ownSPublic = SecAggCrypto.publicBytes(sKeys.getPublic());
        state = State.ADVERTISED;
        return new AdvertiseKeys(params.session(), index, ownCPublic, ownSPublic);
    }

    /** Round 1: shares of the s private key and of b for every other client in the directory, encrypted. */
    public ShareKeys shareKeys(KeyDirectory keys) {
        expect(State.ADVERTISED, "share keys");
        try {
            checkSession(keys);
            if (keys.keys().size() < params.threshold()) {
                throw new SecAggException(Reason.TOO_FEW_CLIENTS, "the directory lists " + keys.keys().size()
                        + " clients, fewer than the threshold of " + params.threshold());
            }
            directory = new TreeMap<>();
            Set<String> seen = new HashSet<>();
            for (PeerKeys k : keys.keys()) {
                if (k.index() > params.clients()) {
                    throw new SecAggException(Reason.PROTOCOL, "the directory lists client " + k.index() + " of "
                            + params.clients());
                }
                if (!seen.add(Arrays.toString(k.cPublic())) || !seen.add(Arrays.toString(k.sPublic()))) {
                    throw new SecAggException(Reason.PROTOCOL, "the directory repeats a public key (client "
                            + k.index() + ")");
                }
                directory.put(k.index(), k);
            }
            PeerKeys own = directory.get(index);
            if (own == null || !own.sameKeys(new PeerKeys(index, ownCPublic, ownSPublic))) {
                throw new SecAggException(Reason.PROTOCOL, "the directory does not hold this client's own keys");
            }
            selfMaskSeed = new byte[Shamir.SECRET_BYTES];
            random.nextBytes(selfMaskSeed);
            int[] xs = directory.keySet().stream().mapToInt(Integer::intValue).toArray();
            Shamir.Share[] sShares = Shamir.split(SecAggCrypto.privateBytes(sKeys.getPrivate()), xs, params.threshold(),
                    random);
            Shamir.Share[] bShares = Shamir.split(selfMaskSeed, xs, params.threshold(), random);
            List<EncryptedShare> out = new ArrayList<>(xs.length - 1);
            for (int i = 0; i < xs.length; i++) {
                int v = xs[i];
                if (v == index) {
                    held.put(index, new byte[][] {sShares[i].y(), bShares[i].y()});
                    continue;
                }
                byte[] key = shareKey(v);
                byte[] plain = new byte[4 + 2 * Shamir.SHARE_BYTES];
                plain[0] = (byte) (index >>> 8);
                plain[1] = (byte) index;
                plain[2] = (byte) (v >>> 8);
                plain[3] = (byte) v;
                System.arraycopy(sShares[i].y(), 0, plain, 4, Shamir.SHARE_BYTES);
                System.arraycopy(bShares[i].y(), 0, plain, 4 + Shamir.SHARE_BYTES, Shamir.SHARE_BYTES);
                out.add(new EncryptedShare(v, SecAggCrypto.seal(key, SecAggCrypto.shareAad(params.session(), index, v),
                        plain, random)));
            }
            state = State.SHARED;
            return new ShareKeys(params.session(), index, out);
        } catch (RuntimeException e) {
            throw abort(e);
        }
    }

    /**
     * Round 2: decrypts the shares addressed to it and masks its input (already quantised: {@code length}
     * values below 2^bits, see {@link Quantisation#quantise}). The input array is not changed.
     */
    public MaskedInput maskedInput(ShareDelivery delivery, long[] input) {
        expect(State.SHARED, "send its masked input");
        try {
            checkSession(delivery);
            if (delivery.to() != index) {
                throw new SecAggException(Reason.PROTOCOL, "shares addressed to client " + delivery.to()
                        + " delivered to client " + index);
            }
            if (input.length != params.length()) {
                throw new SecAggException(Reason.PROTOCOL, "input of " + input.length + " values, the session's length is "
                        + params.length());
            }
            long limit = 1L << params.bits();
            for (long v : input) {
                if (v < 0 || v >= limit) {
                    throw new SecAggException(Reason.OVERFLOW, "input value " + v + " is not below 2^" + params.bits());
                }
            }
            if (delivery.shares().size() + 1 < params.threshold()) {
                throw new SecAggException(Reason.TOO_FEW_CLIENTS, (delivery.shares().size() + 1)
                        + " clients shared keys, fewer than the threshold of " + params.threshold());
            }
            for (EncryptedShare e : delivery.shares()) {
                int v = e.peer();
                if (!directory.containsKey(v)) {
                    throw new SecAggException(Reason.PROTOCOL, "shares from client " + v + ", who is not in the directory");
                }
                byte[] plain = SecAggCrypto.open(shareKey(v), SecAggCrypto.shareAad(params.session(), v, index),
                        e.ciphertext());
                int from = (plain[0] & 0xff) << 8 | (plain[1] & 0xff);
                int to = (plain[2] & 0xff) << 8 | (plain[3] & 0xff);
                if (plain.length != 4 + 2 * Shamir.SHARE_BYTES || from != v || to != index) {
                    throw new SecAggException(Reason.TAMPERED, "the shares from client " + v + " name " + from + " -> " + to);
                }
                held.put(v, new byte[][] {Arrays.copyOfRange(plain, 4, 4 + Shamir.SHARE_BYTES),
                    Arrays.copyOfRange(plain, 4 + Shamir.SHARE_BYTES, plain.length)});
            }
            long[] y = input.clone();
            SecAggCrypto.addPrg(selfMaskSeed, y, params.bits(), false);
            for (int v : held.keySet()) {
                if (v == index) {
                    continue;
                }
                byte[] seed = SecAggCrypto.maskSeed(SecAggCrypto.agree(sKeys.getPrivate(),
                        publicKey(directory.get(v).sPublic())), params.session(), index, v);
                SecAggCrypto.addPrg(seed, y, params.bits(), v < index);
            }
            state = State.MASKED;
            return new MaskedInput(params.session(), index, params.bits(), y);
        } catch (RuntimeException e) {
            throw abort(e);
        }
    }

    /**
     * Round 3: the shares the server needs to remove the masks, after checking that the request reveals
     * nothing it must not: the survivors and the dropped are disjoint clients that sent this client
     * shares, this client is among the survivors, and at least t survivors remain. Answered once.
     */
    public UnmaskResponse unmask(UnmaskRequest request) {
        if (state == State.DONE) {
            throw new SecAggException(Reason.REFUSED, "client " + index + " already answered an unmask request");
        }
        expect(State.MASKED, "unmask");
        try {
            checkSession(request);
            Set<Integer> survivors = new HashSet<>(request.survivors());
            for (int v : request.dropped()) {
                if (survivors.contains(v)) {
                    throw new SecAggException(Reason.REFUSED, "asked for both the self-mask and the mask-key share of client "
                            + v);
                }
            }
            if (!survivors.contains(index)) {
                throw new SecAggException(Reason.REFUSED, "asked about this client (" + index + ") as "
                        + (request.dropped().contains(index) ? "dropped" : "absent") + " after it sent its masked input");
            }
            for (int v : survivors) {
                requireHeld(v);
            }
            for (int v : request.dropped()) {
                requireHeld(v);
            }
            if (survivors.size() < params.threshold()) {
                throw new SecAggException(Reason.REFUSED, survivors.size() + " survivors, fewer than the threshold of "
                        + params.threshold());
            }
            List<RevealedShare> out = new ArrayList<>();
            TreeMap<Integer, ShareKind> asked = new TreeMap<>();
            request.survivors().forEach(v -> asked.put(v, ShareKind.SELF_MASK));
            request.dropped().forEach(v -> asked.put(v, ShareKind.MASK_KEY));
            for (Map.Entry<Integer, ShareKind> a : asked.entrySet()) {
                byte[][] h = held.get(a.getKey());
                out.add(new RevealedShare(a.getKey(), a.getValue(), a.getValue() == ShareKind.SELF_MASK ? h[1] : h[0]));
            }
            state = State.DONE;
            forgetSecrets();
            return new UnmaskResponse(params.session(), index, out);
        } catch (RuntimeException e) {
            throw abort(e);
        }
    }

    private void requireHeld(int v) {
        if (!held.containsKey(v)) {
            throw new SecAggException(Reason.REFUSED, "asked about client " + v + ", who did not share keys with this client");
        }
    }

    private byte[] shareKey(int peer) {
        byte[] agreed = SecAggCrypto.agree(cKeys.getPrivate(), publicKey(directory.get(peer).cPublic()));
        return SecAggCrypto.shareKey(agreed, params.session(), index, peer);
    }

    private static PublicKey publicKey(byte[] u) {
        return SecAggCrypto.publicKey(u);
    }

    private void checkSession(SecAggMessage m) {
        if (m.session() != params.session()) {
            throw new SecAggException(Reason.PROTOCOL, "message of session " + m.session() + " in session "
                    + params.session());
        }
    }

    private void expect(State expected, String what) {
        if (state != expected) {
            throw new SecAggException(Reason.PROTOCOL, "client " + index + " cannot " + what + " in state " + state);
        }
    }

    private SecAggException abort(RuntimeException e) {
        state = State.ABORTED;
        forgetSecrets();
        log.debug("secure aggregation client {} of session {} aborted: {}", index, params.session(), e.getMessage());
        return e instanceof SecAggException s ? s : new SecAggException(Reason.PROTOCOL, e.getMessage(), e);
    }

    private void forgetSecrets() {
        if (selfMaskSeed != null) {
            Arrays.fill(selfMaskSeed, (byte) 0);
        }
        held.clear();
        cKeys = null;
        sKeys = null;
    }
}

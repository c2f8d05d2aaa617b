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
import java.math.BigInteger;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of a secure-aggregation session, as a state machine without I/O. In each phase it
 * {@link #receive}s the clients' messages (a message that does not fit is refused with a
 * {@link SecAggException} and changes nothing), then the caller closes the phase, when every client
 * has answered or at its deadline, and sends what the close returns:
 *
 * <ol>
 * <li>{@link #closeAdvertise()}: the key directory of U1 (clients that advertised keys);
 * <li>{@link #closeShareKeys()}: to each client of U2 (clients that sent shares) the shares addressed to it;
 * <li>{@link #closeMaskedInput()}: the unmask request to U3 (clients whose masked input arrived); the
 *     masked inputs are summed as they arrive, so the server keeps one vector, not n;
 * <li>{@link #finish()}: reconstructs each survivor's self-mask seed b and each dropped client's s key
 *     from t shares, removes the masks, and returns Σ_{u∈U3} x_u mod 2^bits.
 * </ol>
 *
 * A close that leaves fewer than t clients, or a secret with fewer than t shares, abandons the session
 * ({@link Phase#ABANDONED}) with {@link Reason#TOO_FEW_CLIENTS} or {@link Reason#TOO_FEW_SHARES}.
 * Not thread-safe.
 */
public final class SecAggServer {
    private static final Logger log = LoggerFactory.getLogger(SecAggServer.class);

    public enum Phase { ADVERTISE_KEYS, SHARE_KEYS, MASKED_INPUT, UNMASKING, DONE, ABANDONED }

    /** The sum of the inputs of the {@code contributors} (U3), mod 2^bits. */
    public record Result(long[] sum, List<Integer> contributors) {
        public Result {
            contributors = List.copyOf(contributors);
        }
    }

    private final SecAggParams params;
    private Phase phase = Phase.ADVERTISE_KEYS;
    private final TreeMap<Integer, PeerKeys> advertised = new TreeMap<>();
    private final TreeMap<Integer, List<EncryptedShare>> shared = new TreeMap<>();
    private final TreeSet<Integer> masked = new TreeSet<>();
    private long[] sum;
    private UnmaskRequest request;
    private final TreeMap<Integer, UnmaskResponse> responses = new TreeMap<>();

    public SecAggServer(SecAggParams params) {
        this.params = params;
    }

    public SecAggParams params() {
        return params;
    }

    public Phase phase() {
        return phase;
    }

    /** Takes a client's message of the current phase; refuses (and ignores) one that does not fit. */
    public void receive(SecAggMessage message) {
        if (message.session() != params.session()) {
            throw refused("message of session " + message.session() + " in session " + params.session());
        }
        if (message instanceof AdvertiseKeys m) {
            receive(m);
        } else if (message instanceof ShareKeys m) {
            receive(m);
        } else if (message instanceof MaskedInput m) {
            receive(m);
        } else if (message instanceof UnmaskResponse m) {
            receive(m);
        } else {
            throw refused(message.getClass().getSimpleName() + " is sent by the server, not to it");
        }
    }

    private void receive(AdvertiseKeys m) {
        expect(Phase.ADVERTISE_KEYS, m.from());
        checkNew(m.from(), advertised.containsKey(m.from()));
        advertised.put(m.from(), m.keys());
    }

    private void receive(ShareKeys m) {
        expect(Phase.SHARE_KEYS, m.from());
        if (!advertised.containsKey(m.from())) {
            throw refused("client " + m.from() + " sends shares but did not advertise keys");
        }
        checkNew(m.from(), shared.containsKey(m.from()));
        TreeSet<Integer> expected = new TreeSet<>(advertised.keySet());
        expected.remove(m.from());
        List<Integer> to = m.shares().stream().map(EncryptedShare::peer).toList();
        if (!to.equals(new ArrayList<>(expected))) {
            throw refused("client " + m.from() + " sends shares to " + to + ", expected one to each of " + expected);
        }
        shared.put(m.from(), m.shares());
    }

    private void receive(MaskedInput m) {
        expect(Phase.MASKED_INPUT, m.from());
        if (!shared.containsKey(m.from())) {
            throw refused("client " + m.from() + " sends a masked input but did not share keys");
        }
        checkNew(m.from(), masked.contains(m.from()));
        if (m.bits() != params.bits() || m.masked().length != params.length()) {
            throw refused("client " + m.from() + " sends " + m.masked().length + " values of " + m.bits()
                    + " bits, expected " + params.length() + " of " + params.bits());
        }
        long mask = params.quantisation().mask();
        long[] y = m.masked();
        for (int i = 0; i < y.length; i++) {
            sum[i] = (sum[i] + y[i]) & mask;
        }
        masked.add(m.from());
    }

    private void receive(UnmaskResponse m) {
        expect(Phase.UNMASKING, m.from());
        if (!masked.contains(m.from())) {
            throw refused("client " + m.from() + " answers the unmask request but is not a survivor");
        }
        checkNew(m.from(), responses.containsKey(m.from()));
        TreeMap<Integer, ShareKind> asked = new TreeMap<>();
        request.survivors().forEach(v -> asked.put(v, ShareKind.SELF_MASK));
        request.dropped().forEach(v -> asked.put(v, ShareKind.MASK_KEY));
        TreeMap<Integer, ShareKind> answered = new TreeMap<>();
        m.shares().forEach(s -> answered.put(s.about(), s.kind()));
        if (!answered.equals(asked)) {
            throw refused("client " + m.from() + " reveals " + answered + ", asked for " + asked);
        }
        responses.put(m.from(), m);
    }

    /** Ends round 0: the directory to send to every client of U1. */
    public KeyDirectory closeAdvertise() {
        close(Phase.ADVERTISE_KEYS, advertised.size(), "advertised keys");
        phase = Phase.SHARE_KEYS;
        return new KeyDirectory(params.session(), new ArrayList<>(advertised.values()));
    }

    /** Ends round 1: for each client of U2, the shares the other clients of U2 addressed to it. */
    public Map<Integer, ShareDelivery> closeShareKeys() {
        close(Phase.SHARE_KEYS, shared.size(), "shared keys");
        Map<Integer, List<EncryptedShare>> inbox = new TreeMap<>();
        shared.keySet().forEach(v -> inbox.put(v, new ArrayList<>()));
        for (Map.Entry<Integer, List<EncryptedShare>> e : shared.entrySet()) {
            for (EncryptedShare s : e.getValue()) {
                List<EncryptedShare> box = inbox.get(s.peer());
                if (box != null) {
                    box.add(new EncryptedShare(e.getKey(), s.ciphertext()));
                }
            }
        }
        Map<Integer, ShareDelivery> out = new TreeMap<>();
        inbox.forEach((v, list) -> out.put(v, new ShareDelivery(params.session(), v, list)));
        sum = new long[params.length()];
        phase = Phase.MASKED_INPUT;
        return out;
    }

    /** Ends round 2: the request to send to every client of U3. */
    public UnmaskRequest closeMaskedInput() {
        close(Phase.MASKED_INPUT, masked.size(), "sent masked inputs");
        List<Integer> dropped = new ArrayList<>();
        for (int v : shared.keySet()) {
            if (!masked.contains(v)) {
                dropped.add(v);
            }
        }
        request = new UnmaskRequest(params.session(), new ArrayList<>(masked), dropped);
        phase = Phase.UNMASKING;
        return request;
    }

    /** Ends round 3: removes the masks and returns the sum over U3. */
    public Result finish() {
        close(Phase.UNMASKING, responses.size(), "answered the unmask request, so each secret has too few shares");
        int t = params.threshold();
        int[] xs = responses.keySet().stream().mapToInt(Integer::intValue).limit(t).toArray();
        BigInteger[] coefficients = Shamir.lagrangeAtZero(xs);
        Map<Integer, List<Shamir.Share>> shares = new HashMap<>();
        for (int x : xs) {
            for (RevealedShare s : responses.get(x).shares()) {
                shares.computeIfAbsent(s.about(), k -> new ArrayList<>()).add(new Shamir.Share(x, s.share()));
            }
        }
        int bits = params.bits();
        try {
            for (int v : request.survivors()) {
                byte[] b = Shamir.combine(shares.get(v), coefficients);
                SecAggCrypto.addPrg(b, sum, bits, true);
            }
            for (int v : request.dropped()) {
                byte[] scalar = Shamir.combine(shares.get(v), coefficients);
                PrivateKey key = SecAggCrypto.privateKey(scalar);
                if (!Arrays.equals(SecAggCrypto.publicOf(key), advertised.get(v).sPublic())) {
                    throw new SecAggException(Reason.TAMPERED, "the s key reconstructed for dropped client " + v
                            + " does not match its advertised public key");
                }
                for (int u : request.survivors()) {
                    byte[] seed = SecAggCrypto.maskSeed(SecAggCrypto.agree(key, SecAggCrypto.publicKey(
                            advertised.get(u).sPublic())), params.session(), u, v);
                    // y_u holds +PRG(s_uv) when v > u and −PRG(s_uv) when v < u: take it out
                    SecAggCrypto.addPrg(seed, sum, bits, v > u);
                }
            }
        } catch (SecAggException e) {
            phase = Phase.ABANDONED;
            throw e;
        }
        phase = Phase.DONE;
        log.debug("secure aggregation session {}: sum of {} inputs, {} dropped after sharing keys", params.session(),
                masked.size(), request.dropped().size());
        return new Result(sum, new ArrayList<>(masked));
    }

    private void close(Phase expected, int count, String what) {
        if (phase != expected) {
            throw new SecAggException(Reason.PROTOCOL, "cannot close " + expected + " in phase " + phase);
        }
        if (count < params.threshold()) {
            phase = Phase.ABANDONED;
            log.debug("secure aggregation session {} abandoned in {}: {} clients", params.session(), expected, count);
            throw new SecAggException(expected == Phase.UNMASKING ? Reason.TOO_FEW_SHARES : Reason.TOO_FEW_CLIENTS, "round abandoned: only " + count + " clients " + what
                    + ", fewer than the threshold of " + params.threshold());
        }
    }

    private void expect(Phase expected, int from) {
        if (from > params.clients()) {
            throw refused("client index " + from + " is not in 1.." + params.clients());
        }
        if (phase != expected) {
            throw refused("a " + expected + " message from client " + from + " in phase " + phase);
        }
    }

    private static void checkNew(int from, boolean seen) {
        if (seen) {
            throw refused("client " + from + " already sent this round's message");
        }
    }

    private static SecAggException refused(String message) {
        return new SecAggException(Reason.PROTOCOL, message);
    }
}

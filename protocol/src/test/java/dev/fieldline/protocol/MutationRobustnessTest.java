package dev.fieldline.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A poor man's fuzzer: seeded random mutations of valid messages of every kind, fed to every
 * decoder. The only thing allowed to escape a decoder is a {@link DecodeException}; whatever decodes
 * must encode again.
 */
class MutationRobustnessTest {
    /** Fixed so that CI is reproducible; {@code -Dfuzz.seed=N -Dfuzz.mutations=M} to explore further. */
    private static final long SEED = Long.getLong("fuzz.seed", 0x5eed_f1e1d11eL);
    private static final int MUTATIONS = Integer.getInteger("fuzz.mutations", 20_000);
    private static final int BATCH = 2_000;
    private static final byte[] INTERESTING = {0x00, (byte) 0xff, 0x7f, (byte) 0x80, 0x17, 0x18, 0x1b, 0x1f, (byte) 0x9f,
            (byte) 0xbf, (byte) 0xfb, (byte) 0xf9, (byte) 0xc2, '"', '[', ']', '{', '}', ',', ':', '\\', '-', 'e', '9'};

    private final SenmlCodec senml = new SenmlCodec(DecodeLimits.DEFAULT, Clock.fixed(Samples.T, ZoneOffset.UTC));
    private final MessageCodec messages = new MessageCodec();
    private final Map<DecodeError, Integer> rejected = new EnumMap<>(DecodeError.class);
    private int accepted;

    private List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        for (PayloadFormat f : PayloadFormat.values()) {
            seeds.add(senml.encode(Samples.TELEMETRY, f));
            seeds.add(messages.encode(Samples.EVENT, f));
            seeds.add(messages.encode(Samples.STATUS, f));
            seeds.add(messages.encode(Samples.COMMAND, f));
            seeds.add(messages.encode(Samples.RESULT, f));
        }
        seeds.add(Hex.bytes(RfcVectorsTest.MULTIPLE_DATAPOINTS_CBOR));
        seeds.add("""
                [{"bn":"urn:dev:ow:10e2073a01080063:","bt":1.320067464e+09,"bu":"%RH","v":20},{"n":"label","vs":"Room"},
                 {"n":"open","vb":false,"t":-5},{"n":"nfc","vd":"aGkgCg"},{"n":"e","s":3,"u":"kWh"}]""".getBytes(UTF_8));
        return seeds;
    }

    /** Every decoder, in both formats; each either returns a value that encodes again, or throws DecodeException. */
    private List<Consumer<byte[]>> decoders() {
        List<Consumer<byte[]>> all = new ArrayList<>();
        for (PayloadFormat f : PayloadFormat.values()) {
            all.add(b -> senml.decode(b, f));
            all.add(b -> senml.encode(senml.decodeTelemetry(Samples.DEVICE, b, f), f));
            all.add(b -> messages.encode(messages.decodeEvent(Samples.DEVICE, b, f), f));
            all.add(b -> messages.encode(messages.decodeStatus(Samples.DEVICE, b, f), f));
            all.add(b -> messages.encode(messages.decodeCommandResult(Samples.DEVICE, b, f), f));
            all.add(b -> messages.encode(messages.decodeCommand(b, f), f));
        }
        return all;
    }

    static byte[] mutate(byte[] in, Random r) {
        byte[] b = in.clone();
        int rounds = 1 + r.nextInt(3);
        for (int i = 0; i < rounds && b.length > 0; i++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(7)) {
                case 0 -> b[at] ^= (byte) (1 << r.nextInt(8)); // bit flip
                case 1 -> b[at] = INTERESTING[r.nextInt(INTERESTING.length)]; // interesting byte
                case 2 -> b = java.util.Arrays.copyOf(b, at); // truncate
                case 3 -> { // insert random bytes
                    byte[] extra = new byte[1 + r.nextInt(8)];
                    r.nextBytes(extra);
                    b = splice(b, at, 0, extra);
                }
                case 4 -> b = splice(b, at, Math.min(b.length - at, 1 + r.nextInt(8)), new byte[0]); // delete
                case 5 -> { // duplicate a slice somewhere else
                    int from = r.nextInt(b.length);
                    int len = Math.min(b.length - from, 1 + r.nextInt(32));
                    b = splice(b, at, 0, java.util.Arrays.copyOfRange(b, from, from + len));
                }
                default -> b[at] = (byte) r.nextInt(256); // random byte
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    private void feed(byte[] input, List<Consumer<byte[]>> decoders, String what) {
        for (int d = 0; d < decoders.size(); d++) {
            try {
                decoders.get(d).accept(input);
                accepted++;
            } catch (DecodeException e) {
                rejected.merge(e.reason(), 1, Integer::sum);
            } catch (Throwable t) {
                throw new AssertionError("decoder " + d + " threw " + t + " for " + what + ": " + Hex.of(input), t);
            }
        }
    }

    @Test
    void mutatedMessagesOnlyEverRaiseDecodeExceptionAndValidOnesStillDecode() {
        List<byte[]> seeds = seeds();
        List<Consumer<byte[]>> decoders = decoders();
        Random random = new Random(SEED);
        for (int batch = 0; batch < (MUTATIONS + BATCH - 1) / BATCH; batch++) {
            int first = batch * BATCH;
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                for (int i = first; i < Math.min(first + BATCH, MUTATIONS); i++) {
                    byte[] seed = seeds.get(random.nextInt(seeds.size()));
                    feed(mutate(seed, random), decoders, "mutation " + i + " (seed " + SEED + ")");
                }
            }, "batch " + batch + " took too long: a decoder hangs or is quadratic");
        }

        assertThat(rejected.keySet()).as("reasons seen").contains(DecodeError.MALFORMED, DecodeError.WRONG_TYPE,
                DecodeError.MISSING_FIELD, DecodeError.INVALID_NAME);
        assertThat(accepted).as("mutations some decoder still accepted").isPositive();

        // nothing is left behind by thousands of refusals: valid messages still decode
        assertThat(senml.decodeTelemetry(Samples.DEVICE, senml.encode(Samples.TELEMETRY, PayloadFormat.CBOR), PayloadFormat.CBOR))
                .isEqualTo(Samples.TELEMETRY);
        assertThat(messages.decodeEvent(Samples.DEVICE, messages.encode(Samples.EVENT, PayloadFormat.JSON), PayloadFormat.JSON))
                .isEqualTo(Samples.EVENT);
        assertThat(messages.decodeStatus(Samples.DEVICE, messages.encode(Samples.STATUS, PayloadFormat.CBOR), PayloadFormat.CBOR))
                .isEqualTo(Samples.STATUS);
        assertThat(messages.decodeCommand(messages.encode(Samples.COMMAND, PayloadFormat.JSON), PayloadFormat.JSON))
                .isEqualTo(Samples.COMMAND);
        assertThat(messages.decodeCommandResult(Samples.DEVICE, messages.encode(Samples.RESULT, PayloadFormat.CBOR),
                PayloadFormat.CBOR)).isEqualTo(Samples.RESULT);
    }

    @Test
    void mutationIsDeterministicForASeed() {
        byte[] seed = senml.encode(Samples.TELEMETRY, PayloadFormat.CBOR);
        assertThat(mutate(seed, new Random(42))).isEqualTo(mutate(seed, new Random(42)));
    }
}

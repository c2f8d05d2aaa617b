package dev.fieldline.federated.secagg;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing (Jazzer) of the secure-aggregation message decoder. The contract: only
 * {@link SecAggFormatException} escapes, with a defect and an offset inside the input, and whatever
 * decodes encodes again to exactly the input (the form is canonical). Inputs in
 * {@code src/test/resources/dev/fieldline/federated/secagg/SecAggFuzzTestInputs/decode} (one message of
 * each type from a real 3-client session); see docs/testing.md, "Fuzzing".
 */
class SecAggFuzzTest {
    private static final SecAggCodec CODEC = new SecAggCodec(new SecAggCodec.Limits(16, 64));

    @FuzzTest
    void decode(byte[] input) {
        SecAggMessage m;
        try {
            m = CODEC.decode(input);
        } catch (SecAggFormatException e) {
            if (e.defect() == null || e.getMessage() == null || e.offset() < 0 || e.offset() > input.length) {
                throw new AssertionError("refusal without a defect, message or offset in the input", e);
            }
            return;
        }
        byte[] again = CODEC.encode(m);
        if (!Arrays.equals(again, input)) {
            throw new AssertionError("decoded " + m.getClass().getSimpleName() + " encodes to other bytes");
        }
    }
}

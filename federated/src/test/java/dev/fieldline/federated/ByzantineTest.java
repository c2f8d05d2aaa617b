package dev.fieldline.federated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ByzantineTest {

    private static final ClientUpdate HONEST = new ClientUpdate("c1", new float[] {1f, -2f, 0.5f}, 40,
            Map.of("loss", 0.3));

    @ParameterizedTest
    @CsvSource({
        "0.3:sign_flip, 0.3, SIGN_FLIP, 1",
        "0.3:sign_flip:4, 0.3, SIGN_FLIP, 4",
        "0.2:scale, 0.2, SCALE, 10",
        "0.2:SCALE:100, 0.2, SCALE, 100",
        "0.5:random, 0.5, RANDOM, 1",
        "0.5:random:0.25, 0.5, RANDOM, 0.25",
        "0:zero, 0, ZERO, NaN",
    })
    void parsesWithDefaults(String spec, double fraction, Byzantine.Kind kind, double parameter) {
        Byzantine b = Byzantine.parse(spec);
        assertThat(b.fraction()).isEqualTo(fraction);
        assertThat(b.kind()).isEqualTo(kind);
        assertThat((Object) b.parameter()).isEqualTo(parameter); // boxed: NaN equals NaN
        assertThat(Byzantine.parse(b.spec())).isEqualTo(b);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0.3:flip        | unknown attack 'flip'; known: sign_flip, scale, random, zero",
        "1.5:sign_flip   | byzantine fraction must be in [0, 1], was 1.5",
        "x:sign_flip     | byzantine fraction 'x' is not a number (expected FRACTION:KIND[:PARAM], e.g. 0.3:sign_flip, 0.3:scale:10, 0.3:random:1, 0.3:zero)",
        "0.3             | byzantine spec '0.3' is malformed (expected FRACTION:KIND[:PARAM], e.g. 0.3:sign_flip, 0.3:scale:10, 0.3:random:1, 0.3:zero)",
        "0.3:scale:-2    | attack scale needs a positive finite parameter, was -2.0",
        "0.3:zero:1      | attack zero takes no parameter, was given '1'",
        "0.3:random:abc  | attack random: parameter 'abc' is not a number (expected FRACTION:KIND[:PARAM], e.g. 0.3:sign_flip, 0.3:scale:10, 0.3:random:1, 0.3:zero)",
    })
    void badSpecsSayWhatIsExpected(String spec, String message) {
        assertThatThrownBy(() -> Byzantine.parse(spec)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void attackersAreFloorOfTheFractionChosenBySeedWhateverTheOrder() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add("dev-" + i);
        }
        Byzantine b = Byzantine.parse("0.3:sign_flip");
        Set<String> chosen = b.attackers(ids, 42);
        assertThat(chosen).hasSize(3).isSubsetOf(ids);
        List<String> shuffled = new ArrayList<>(ids);
        Collections.shuffle(shuffled, new Random(1));
        assertThat(b.attackers(shuffled, 42)).isEqualTo(chosen);
        boolean differs = false;
        for (long seed = 0; seed < 10 && !differs; seed++) {
            differs = !b.attackers(ids, seed).equals(chosen);
        }
        assertThat(differs).as("another seed picks other clients").isTrue();
        assertThat(Byzantine.parse("0.25:zero").count(10)).isEqualTo(2);
        assertThat(Byzantine.parse("0.7:zero").count(10)).isEqualTo(7);
        assertThat(Byzantine.parse("1:zero").attackers(ids, 1)).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(Byzantine.parse("0:zero").attackers(ids, 1)).isEmpty();
    }

    @Test
    void forgedUpdatesKeepIdentityAndExamples() {
        Random r = new Random(3);
        assertThat(Byzantine.parse("0.3:sign_flip").apply(HONEST, r).delta()).containsExactly(-1f, 2f, -0.5f);
        assertThat(Byzantine.parse("0.3:sign_flip:4").apply(HONEST, r).delta()).containsExactly(-4f, 8f, -2f);
        assertThat(Byzantine.parse("0.3:scale").apply(HONEST, r).delta()).containsExactly(10f, -20f, 5f);
        assertThat(Byzantine.parse("0.3:zero").apply(HONEST, r).delta()).containsExactly(0f, 0f, 0f);
        ClientUpdate forged = Byzantine.parse("0.3:scale:3").apply(HONEST, r);
        assertThat(forged.clientId()).isEqualTo("c1");
        assertThat(forged.examples()).isEqualTo(40);
        assertThat(forged.metrics()).isEqualTo(HONEST.metrics());
        assertThat(HONEST.delta()).containsExactly(1f, -2f, 0.5f);
    }

    @Test
    void randomAttackIsGaussianWithTheStatedSigmaAndIgnoresTheHonestDelta() {
        ClientUpdate big = new ClientUpdate("c", new float[20_000], 1, Map.of());
        float[] noise = Byzantine.parse("0.1:random:0.5").apply(big, new Random(9)).delta();
        double sum = 0;
        double sq = 0;
        for (float v : noise) {
            sum += v;
            sq += v * v;
        }
        double mean = sum / noise.length;
        double sd = Math.sqrt(sq / noise.length - mean * mean);
        assertThat(mean).isBetween(-0.02, 0.02);
        assertThat(sd).isBetween(0.49, 0.51);
        assertThat(Byzantine.parse("0.1:random:0.5").apply(big, new Random(9)).delta()).containsExactly(noise);
    }
}

package dev.fieldline.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldline.testsupport.Peers;
import dev.fieldline.training.data.FashionMnist;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** {@code fieldline fl simulate|centralized} as scripts use them: the last line of standard output is the JSON result. */
class FlCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static void requireFashionMnist() {
        Peers.requireData(FashionMnist.DEBIAN_DIR, FashionMnist.present(FashionMnist.DEBIAN_DIR), "Fashion-MNIST",
                "dataset-fashion-mnist");
    }

    private static List<String> lines(String out) {
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void simulateEndsWithOneJsonLineOfTheContractAfterOneHumanLinePerRound() throws Exception {
        requireFashionMnist();
        CliTest.Run r = CliTest.run("fl", "simulate", "--clients", "4", "--fraction", "0.5", "--rounds", "3",
                "--partition", "dirichlet:0.5", "--strategy", "fedavg", "--model", "mlp", "--local-epochs", "1",
                "--batch", "32", "--seed", "3", "--lr", "0.05", "--train-limit", "1200", "--test-limit", "500",
                "--threads", "2");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = lines(r.out());
        List<String> rounds = lines.stream().filter(l -> l.startsWith("round ")).toList();
        assertThat(rounds).hasSize(3);
        assertThat(rounds.get(0)).matches("round +1/3  accuracy 0\\.\\d{4}  loss \\d+\\.\\d{4}  clients 2/2  \\d+\\.\\d{2} s");
        // only the last line is JSON, so a script can take it
        assertThat(lines.subList(0, lines.size() - 1)).noneMatch(l -> l.trim().startsWith("{"));
        JsonNode json = JSON.readTree(lines.get(lines.size() - 1));
        assertThat(json.properties()).extracting(java.util.Map.Entry::getKey)
                .containsExactly("final_accuracy", "rounds", "rounds_to", "seconds");
        assertThat(json.get("final_accuracy").isDouble()).isTrue();
        assertThat(json.get("final_accuracy").asDouble()).isBetween(0.3, 1.0);
        assertThat(rounds.get(2)).contains(String.format(java.util.Locale.ROOT, "accuracy %.4f",
                json.get("final_accuracy").asDouble()));
        assertThat(json.get("rounds").isInt()).isTrue();
        assertThat(json.get("rounds").asInt()).isEqualTo(3);
        JsonNode to = json.get("rounds_to");
        assertThat(to.properties()).extracting(java.util.Map.Entry::getKey).containsExactly("0.85", "0.88");
        for (JsonNode v : List.of(to.get("0.85"), to.get("0.88"))) {
            assertThat(v.isNull() || v.isInt()).as(v.toString()).isTrue();
        }
        // 1,200 images over 3 rounds of half the clients do not reach 88%
        assertThat(to.get("0.88").isNull()).isTrue();
        assertThat(json.get("seconds").isNumber()).isTrue();
        assertThat(json.get("seconds").asDouble()).isPositive();
    }

    @Test
    void differentialPrivacyAddsEpsilonAndDeltaToTheJsonAndEpsilonToEachRound() throws Exception {
        requireFashionMnist();
        CliTest.Run r = CliTest.run("fl", "simulate", "--clients", "3", "--rounds", "2", "--model", "mlp",
                "--dp-noise", "1.0", "--dp-clip", "1.0", "--train-limit", "300", "--test-limit", "200", "--threads", "1");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = lines(r.out());
        JsonNode json = JSON.readTree(lines.get(lines.size() - 1));
        assertThat(json.properties()).extracting(java.util.Map.Entry::getKey)
                .containsExactly("final_accuracy", "rounds", "rounds_to", "seconds", "epsilon", "delta");
        assertThat(json.get("epsilon").asDouble()).isPositive();
        assertThat(json.get("delta").asDouble()).isEqualTo(1e-5);
        List<String> rounds = lines.stream().filter(l -> l.startsWith("round ")).toList();
        assertThat(rounds.get(1)).contains(String.format(java.util.Locale.ROOT, "epsilon %.3f", json.get("epsilon").asDouble()));
        double first = Double.parseDouble(rounds.get(0).replaceAll(".*epsilon ", ""));
        assertThat(first).isLessThan(json.get("epsilon").asDouble());
    }

    @Test
    void secureAggregationAndAttackersShowOnEachRoundLine() throws Exception {
        requireFashionMnist();
        CliTest.Run r = CliTest.run("fl", "simulate", "--clients", "5", "--rounds", "1", "--model", "mlp", "--secure-agg",
                "--byzantine", "0.4:sign_flip", "--train-limit", "300", "--test-limit", "200", "--threads", "2");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = lines(r.out());
        assertThat(lines.get(0)).contains("secure aggregation", "attack 0.4:sign_flip");
        assertThat(lines.get(1)).matches("round +1/1  .*  clients 5/5  .*  attackers 2  secagg \\d+\\.\\d{2} s");
        JsonNode json = JSON.readTree(lines.get(lines.size() - 1));
        assertThat(json.properties()).extracting(java.util.Map.Entry::getKey)
                .containsExactly("final_accuracy", "rounds", "rounds_to", "seconds");
    }

    @Test
    void centralizedEndsWithItsJsonLine() throws Exception {
        requireFashionMnist();
        CliTest.Run r = CliTest.run("fl", "centralized", "--model", "mlp", "--epochs", "2", "--batch", "32",
                "--lr", "0.05", "--train-limit", "600", "--test-limit", "300");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = lines(r.out());
        assertThat(lines.stream().filter(l -> l.startsWith("epoch "))).hasSize(2);
        JsonNode json = JSON.readTree(lines.get(lines.size() - 1));
        assertThat(json.properties()).extracting(java.util.Map.Entry::getKey)
                .containsExactly("final_accuracy", "epochs", "seconds");
        assertThat(json.get("final_accuracy").asDouble()).isBetween(0.5, 1.0);
        assertThat(json.get("epochs").isInt()).isTrue();
        assertThat(json.get("seconds").isNumber()).isTrue();
    }

    @Test
    void badFlagsExitTwoWithAClearMessageBeforeReadingData() {
        String[][] cases = {
            {"--partition", "shards:0", "K in shards:K must be a whole number >= 1, was '0'"},
            {"--partition", "pathological", "--partition: unknown partition 'pathological'; expected iid, shards:K or dirichlet:A"},
            {"--model", "resnet", "--model must be mlp or cnn, was 'resnet'"},
            {"--strategy", "fedsgd", "--strategy: unknown strategy 'fedsgd'"},
            {"--fraction", "0", "--fraction must be in (0, 1], was 0.0"},
            {"--clients", "0", "--clients must be at least 1, was 0"},
            {"--dp-noise", "1", "--dp-noise and --dp-clip go together: give both or neither"},
            {"--dp-noise", "1", "--dp-clip", "-2", "--dp-noise/--dp-clip: "},
            {"--rounds", "ten", "Invalid value for option '--rounds': 'ten' is not an int"},
            {"--byzantine", "0.3:flip", "--byzantine: unknown attack 'flip'; known: "},
            {"--secure-agg", "--strategy", "fedmedian", "--secure-agg needs a linear strategy"},
            {"--secure-agg", "--dp-noise", "1", "--dp-clip", "1", "--secure-agg and --dp-noise/--dp-clip are not combined"},
            {"--no-such-flag", "Unknown option: '--no-such-flag'"},
        };
        for (String[] c : cases) {
            String[] args = new String[c.length - 1 + 4];
            args[0] = "fl";
            args[1] = "simulate";
            args[2] = "--data";
            args[3] = "/nonexistent";
            System.arraycopy(c, 0, args, 4, c.length - 1);
            CliTest.Run r = CliTest.run(args);
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", args)).contains(c[c.length - 1]);
            assertThat(r.out()).doesNotContain("{");
        }
        CliTest.Run r = CliTest.run("fl", "simulate", "--data", "/nonexistent", "--rounds", "1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("cannot read Fashion-MNIST from /nonexistent", "dataset-fashion-mnist");
        r = CliTest.run("fl", "centralized", "--data", "/nonexistent", "--epochs", "0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--epochs must be >= 1, was 0");
    }
}

package dev.fieldline.tools;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecAggBenchTest {

    @Test
    void printsTheCostOfEachProtocolRoundWithDropouts() {
        CliTest.Run r = CliTest.run("bench", "secagg", "--clients", "6", "--values", "300", "--drop-before-masking", "1",
                "--drop-after-masking", "1", "--warmup", "0");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("300 values, 6 clients, threshold 4")
                // a client that drops after masking still counts: the server rebuilds its self-mask from shares
                .contains("5 contributors")
                .containsPattern("\\| total \\| \\| [0-9.]+ \\| [0-9.]+ \\| [0-9,]+ \\(a plain float update: 1,208\\)");
        assertThat(r.out().lines().filter(l -> l.startsWith("| ") && !l.startsWith("| round") && !l.startsWith("| total")))
                .as("one line per protocol round").hasSizeGreaterThanOrEqualTo(4);
    }

    @Test
    void refusesDropoutsThatLeaveNobody() {
        CliTest.Run r = CliTest.run("bench", "secagg", "--clients", "3", "--drop-before-masking", "2", "--drop-after-masking", "1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("must leave at least one of the 3 clients");
    }
}

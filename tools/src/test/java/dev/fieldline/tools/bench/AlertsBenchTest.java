package dev.fieldline.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.tools.Fieldline;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code fieldline bench alerts}, tiny: a few alerts go from MQTT publish to the webhook and are measured. */
@Tag("loopback")
class AlertsBenchTest {

    @Test
    void everyAboveThresholdMessageArrivesAtTheWebhookAndIsMeasured() {
        PrintStream out = System.out;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            code = Fieldline.execute("bench", "alerts", "--devices", "2", "--messages", "20", "--every", "5",
                    "--warmup", "5", "--rate", "200", "--timeout", "60s");
        } finally {
            System.setOut(out);
        }
        String text = o.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isZero();
        // 2 devices x 20 messages, every 5th hot: 8 webhooks expected and done
        Matcher row = Pattern.compile("mqtt publish -> webhook\\s+(\\d+)\\s+(\\d+)\\s+[\\d.]+\\s+\\d+\\s+([\\d.]+)").matcher(text);
        assertThat(row.find()).as(text).isTrue();
        assertThat(row.group(1)).isEqualTo("8");
        assertThat(row.group(2)).isEqualTo("8");
        assertThat(Double.parseDouble(row.group(3))).as("p50 latency, ms").isPositive();
        // the warm-up (one hot message per device) and the run: 10 firings, each delivered once
        assertThat(text).containsPattern("fired 10, failed 0; webhooks received 10 \\(unidentified 0\\)");
    }

    @Test
    void aBadRateOrEveryIsAUsageError() {
        PrintStream err = System.err;
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            assertThat(Fieldline.execute("bench", "alerts", "--every", "0")).isEqualTo(2);
            assertThat(Fieldline.execute("bench", "alerts", "--rate", "0")).isEqualTo(2);
        } finally {
            System.setErr(err);
        }
        assertThat(e.toString(StandardCharsets.UTF_8)).contains("--every must be >= 1, was 0", "--rate must be > 0 messages/s, was 0.0");
    }
}

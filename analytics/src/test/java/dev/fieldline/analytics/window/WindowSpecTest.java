package dev.fieldline.analytics.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WindowSpecTest {
    @Test
    void parsesEveryKind() {
        assertThat(WindowSpec.parse("tumbling 1m")).isEqualTo(WindowSpec.tumbling(Duration.ofMinutes(1)));
        assertThat(WindowSpec.parse("  Sliding   30s ")).isEqualTo(new WindowSpec(WindowSpec.Kind.SLIDING, false, 30_000, 3_000));
        assertThat(WindowSpec.parse("hopping 5m every 1m")).isEqualTo(WindowSpec.hopping(Duration.ofMinutes(5), Duration.ofMinutes(1)));
        assertThat(WindowSpec.parse("session gap 2m")).isEqualTo(WindowSpec.session(Duration.ofMinutes(2)));
        assertThat(WindowSpec.parse("tumbling 100 samples")).isEqualTo(WindowSpec.tumblingSamples(100));
        assertThat(WindowSpec.parse("hopping 100 samples every 20 samples"))
                .isEqualTo(new WindowSpec(WindowSpec.Kind.HOPPING, true, 100, 20));
        assertThat(WindowSpec.parse("sliding 5 samples").slide()).isEqualTo(1);
        assertThat(WindowSpec.parse("tumbling 250ms").size()).isEqualTo(250);
        assertThat(WindowSpec.parse("tumbling 1d").size()).isEqualTo(86_400_000);
    }

    @Test
    void textReadsBack() {
        for (String t : new String[] {"tumbling 1m", "sliding 30s", "hopping 5m every 1m", "session gap 2m",
                "tumbling 100 samples", "hopping 90s every 1500ms", "tumbling 1 sample", "sliding 2h"}) {
            WindowSpec s = WindowSpec.parse(t);
            assertThat(WindowSpec.parse(s.text())).isEqualTo(s);
        }
        assertThat(WindowSpec.parse("hopping 90s every 1500ms").text()).isEqualTo("hopping 90s every 1500ms");
        assertThat(WindowSpec.parse("tumbling 60s").text()).isEqualTo("tumbling 1m");
    }

    @Test
    void refusesWithClearErrors() {
        assertThatThrownBy(() -> WindowSpec.parse("rolling 1m")).hasMessageContaining("unknown window kind 'rolling'")
                .hasMessageContaining("'hopping LEN every LEN'");
        assertThatThrownBy(() -> WindowSpec.parse("tumbling")).hasMessageContaining("size '' is not a duration");
        assertThatThrownBy(() -> WindowSpec.parse("tumbling 1 minute")).hasMessageContaining("size '1 minute' is not a duration or sample count");
        assertThatThrownBy(() -> WindowSpec.parse("hopping 5m")).hasMessageContaining("needs 'every'");
        assertThatThrownBy(() -> WindowSpec.parse("hopping 1m every 5m")).hasMessageContaining("must not exceed the size");
        assertThatThrownBy(() -> WindowSpec.parse("hopping 1m every 5 samples")).hasMessageContaining("both be durations");
        assertThatThrownBy(() -> WindowSpec.parse("session 2m")).hasMessageContaining("needs 'gap'");
        assertThatThrownBy(() -> WindowSpec.parse("session gap 10 samples")).hasMessageContaining("gap is a duration");
        assertThatThrownBy(() -> WindowSpec.parse("tumbling 8d")).hasMessageContaining("out of range: 1ms to 7d");
        assertThatThrownBy(() -> WindowSpec.parse("tumbling 0s")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> WindowSpec.parse("tumbling 2000000 samples")).hasMessageContaining("1 to 1000000 samples");
        assertThatThrownBy(() -> WindowSpec.parse("hopping 7d every 1001ms")).hasMessageContaining("panes per window");
        assertThatThrownBy(() -> WindowSpec.parse("tumbling " + "1".repeat(200))).hasMessageContaining("longer than 100");
        assertThatThrownBy(() -> WindowSpec.parse(" ")).hasMessageContaining("empty window");
    }
}

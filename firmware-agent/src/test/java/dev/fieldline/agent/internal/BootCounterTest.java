package dev.fieldline.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.agent.AgentException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootCounterTest {

    @Test
    void incrementsAtEveryStartAndSurvivesOnDisk(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("agent/dev-1");
        assertThat(BootCounter.next(data)).isEqualTo(1);
        assertThat(BootCounter.next(data)).isEqualTo(2);
        assertThat(Files.readString(data.resolve(BootCounter.FILE)).trim()).isEqualTo("2");
        assertThat(Files.exists(data.resolve(BootCounter.FILE + ".tmp"))).isFalse();
        assertThat(BootCounter.next(data)).isEqualTo(3);
    }

    @Test
    void refusesAGarbledCounterInsteadOfRestartingAtOne(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(BootCounter.FILE), "banana");
        assertThatThrownBy(() -> BootCounter.next(dir))
                .isInstanceOfSatisfying(AgentException.class,
                        e -> assertThat(e.reason()).isEqualTo(AgentException.Reason.STORAGE))
                .hasMessageContaining("does not hold a boot id");
    }
}

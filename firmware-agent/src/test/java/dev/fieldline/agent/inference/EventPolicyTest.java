package dev.fieldline.agent.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.agent.inference.EventPolicy.Kind;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EventPolicyTest {

    @Test
    void reportsLabelChangesWhileConfidentAndThresholdCrossings() {
        EventPolicy p = new EventPolicy(0.8, 0.05);
        assertThat(p.update("normal", 0.5)).isEmpty(); // never confident yet
        assertThat(p.update("normal", 0.9)).hasValue(new EventPolicy.Change(Kind.LABEL, "normal", Optional.empty()));
        assertThat(p.update("normal", 0.99)).isEmpty();
        assertThat(p.update("normal", 0.77)).isEmpty(); // within the hysteresis
        assertThat(p.update("spike", 0.95)).hasValue(new EventPolicy.Change(Kind.LABEL, "spike", Optional.of("normal")));
        assertThat(p.update("spike", 0.95)).isEmpty();
        assertThat(p.update("drift", 0.5)).hasValue(new EventPolicy.Change(Kind.UNCERTAIN, "drift", Optional.of("spike")));
        assertThat(p.update("normal", 0.6)).isEmpty(); // label flaps while uncertain: nothing
        assertThat(p.update("spike", 0.9)).hasValue(new EventPolicy.Change(Kind.CONFIDENT, "spike", Optional.of("spike")));
        assertThat(p.update("normal", 0.85)).hasValue(new EventPolicy.Change(Kind.LABEL, "normal", Optional.of("spike")));
        assertThat(p.reported()).hasValue("normal");
    }
}

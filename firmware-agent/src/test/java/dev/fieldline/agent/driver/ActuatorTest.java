package dev.fieldline.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.agent.hal.pi4j.Pi4jBoard;
import dev.fieldline.agent.hal.pi4j.Pi4jConfig;
import dev.fieldline.agent.hal.pi4j.Pi4jProviders;
import dev.fieldline.agent.hal.pi4j.emulated.EmulatedPi;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ActuatorTest {
    private final EmulatedPi pi = new EmulatedPi();
    private final Pi4jBoard board = Pi4jBoard.open(Pi4jConfig.of("rpi4b", Pi4jProviders.of(Pi4jProviders.GPIOD)), pi,
            Clock.systemUTC());

    @AfterEach
    void close() {
        board.close();
    }

    @Test
    void activeLowRelayStartsReleasedSwitchesAndIsReleasedOnClose() {
        Relay relay = new Relay(board.digitalOutput(17, Relay.safeLevel(true, false)), true);
        assertThat(pi.outputLevel(17)).isTrue(); // released: the pin is high from the moment it is claimed
        assertThat(relay.isEnergised()).isFalse();
        relay.set(true);
        assertThat(pi.outputLevel(17)).isFalse();
        assertThat(relay.isEnergised()).isTrue();
        relay.close();
        assertThat(pi.outputLevel(17)).isTrue();
        assertThat(relay.isEnergised()).isFalse();
    }

    @Test
    void activeHighRelayAndLedsAreOffWhenLow() {
        Relay relay = new Relay(board.digitalOutput(27, Relay.safeLevel(false, false)), false);
        Led led = new Led(board.digitalOutput(22, Led.offLevel(false)));
        Led sinking = new Led(board.digitalOutput(23, Led.offLevel(true)), true);
        assertThat(pi.outputLevel(27)).isFalse();
        assertThat(pi.outputLevel(22)).isFalse();
        assertThat(pi.outputLevel(23)).isTrue();
        relay.set(true);
        led.set(true);
        sinking.set(true);
        assertThat(pi.outputLevel(27)).isTrue();
        assertThat(pi.outputLevel(22)).isTrue();
        assertThat(pi.outputLevel(23)).isFalse();
        assertThat(sinking.isOn()).isTrue();
        relay.close();
        led.close();
        sinking.close();
        assertThat(pi.outputLevel(27)).isFalse();
        assertThat(pi.outputLevel(22)).isFalse();
        assertThat(pi.outputLevel(23)).isTrue();
    }

    @Test
    void aRelayWhoseSafeStateIsEnergisedStartsAndEndsEnergised() {
        Relay lock = new Relay(board.digitalOutput(6, Relay.safeLevel(true, true)), true, true);
        assertThat(pi.outputLevel(6)).isFalse();
        assertThat(lock.isEnergised()).isTrue();
        lock.set(false);
        assertThat(pi.outputLevel(6)).isTrue();
        lock.close();
        assertThat(lock.isEnergised()).isTrue();
    }

    @Test
    void theBoardReturnsOutputsToTheirSafeLevelWhenItClosesWithoutTheDrivers() {
        Relay relay = new Relay(board.digitalOutput(5, Relay.safeLevel(true, false)), true);
        relay.set(true);
        var line = pi.output(5);
        assertThat(line.state().isHigh()).isFalse();
        board.close();
        // Pi4J's shutdown state: the level the pin was claimed at, so the relay is released
        assertThat(line.state().isHigh()).isTrue();
        assertThat(pi.allContextsShutDown()).isTrue();
    }
}

package dev.fieldline.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fieldline.agent.hal.AnalogInput;
import dev.fieldline.boards.BoardProfile;
import org.junit.jupiter.api.Test;

class Tmp36Test {
    private static final BoardProfile.Adc ADC = new BoardProfile.Adc(12, 3.3);

    @Test
    void conversionFollowsTheSeedFormulaAtExactValues() {
        assertThat(Tmp36.volts(0, ADC)).isEqualTo(0.0);
        assertThat(Tmp36.celsius(0, ADC)).isCloseTo(-50.0, within(1e-12));

        assertThat(Tmp36.volts(620, ADC)).isCloseTo(620 * 3.3 / 4095, within(1e-15)).isCloseTo(0.4996, within(1e-4));
        assertThat(Tmp36.celsius(620, ADC)).isCloseTo((620 * 3.3 / 4095 - 0.5) * 100, within(1e-12))
                .isCloseTo(-0.0366, within(1e-4));

        assertThat(Tmp36.volts(1241, ADC)).isCloseTo(1.00007, within(1e-5));
        assertThat(Tmp36.celsius(1241, ADC)).isCloseTo((1241 * 3.3 / 4095 - 0.5) * 100, within(1e-12))
                .isCloseTo(50.007, within(1e-3));

        assertThat(Tmp36.volts(4095, ADC)).isCloseTo(3.3, within(1e-12));
        assertThat(Tmp36.celsius(4095, ADC)).isCloseTo(280.0, within(1e-9));
    }

    @Test
    void readsThroughTheAnalogInputAndRefusesOutOfRangeCounts() {
        AnalogInput in = new AnalogInput() {
            @Override
            public int read() {
                return 620;
            }

            @Override
            public int maxCount() {
                return 4095;
            }
        };
        assertThat(new Tmp36(in, ADC).readCelsius()).isCloseTo(-0.0366, within(1e-4));
        assertThatThrownBy(() -> Tmp36.celsius(4096, ADC)).hasMessageContaining("raw must be in 0..4095");
        assertThatThrownBy(() -> Tmp36.celsius(-1, ADC)).isInstanceOf(IllegalArgumentException.class);
    }
}

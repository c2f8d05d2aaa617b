package dev.fieldline.boards;

import java.time.Duration;

/**
 * A sensor or actuator on a board, bound to a HAL channel. The name is also the SenML record name
 * the agent reports its readings under.
 */
public sealed interface DeviceSpec {

    String name();

    /** The driver name as written in the profile ({@code tmp36}, {@code button}, {@code led}). */
    String driver();

    /** TMP36 analog temperature sensor on an ADC channel (10 mV/°C, 500 mV at 0 °C). */
    record Tmp36(String name, int adcChannel) implements DeviceSpec {
        public Tmp36 {
            BoardProfile.requireName(name);
            if (adcChannel < 0) {
                throw new IllegalArgumentException("adcChannel must be >= 0, was " + adcChannel);
            }
        }

        @Override
        public String driver() {
            return "tmp36";
        }
    }

    /** A push button on a digital input; {@code activeLow} when pressing pulls the line low. */
    record Button(String name, int pin, boolean activeLow, Duration debounce) implements DeviceSpec {
        public Button {
            BoardProfile.requireName(name);
            if (pin < 0) {
                throw new IllegalArgumentException("pin must be >= 0, was " + pin);
            }
            if (debounce == null || debounce.isNegative()) {
                throw new IllegalArgumentException("debounce must be >= 0, was " + debounce);
            }
        }

        @Override
        public String driver() {
            return "button";
        }
    }

    /** An LED on a digital output. */
    record Led(String name, int pin) implements DeviceSpec {
        public Led {
            BoardProfile.requireName(name);
            if (pin < 0) {
                throw new IllegalArgumentException("pin must be >= 0, was " + pin);
            }
        }

        @Override
        public String driver() {
            return "led";
        }
    }
}

package dev.fieldline.agent.hal.pi4j.emulated;

import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalInputConfig;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProviderImpl;

/**
 * Pi4J's mock digital input provider with the pull resistor honoured: a line opened with a pull-up
 * idles high, as a real one does with nothing driving it (Pi4J's mock always starts low).
 */
final class PulledInputProvider extends MockDigitalInputProviderImpl {
    @Override
    public DigitalInput create(DigitalInputConfig config) {
        DigitalInput input = super.create(config);
        if (config.pull() == PullResistance.PULL_UP) {
            ((com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput) input).mockState(DigitalState.HIGH);
        }
        return input;
    }
}

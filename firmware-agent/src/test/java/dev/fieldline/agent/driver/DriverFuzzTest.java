package dev.fieldline.agent.driver;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.I2cDevice;
import dev.fieldline.agent.hal.SpiDevice;
import java.time.Duration;

/**
 * Coverage-guided fuzzing (Jazzer) of the drivers' decoding of what chips answer: whatever bytes come
 * back and whichever transfers fail, a read either yields values inside the sensor's range or fails
 * with a {@link HalException}; nothing else escapes and nothing hangs. Inputs in
 * {@code src/test/resources/dev/fieldline/agent/driver/DriverFuzzTestInputs/chips}; see
 * docs/testing.md, "Fuzzing".
 */
class DriverFuzzTest {
    private static final HalException.Reason[] REASONS = HalException.Reason.values();

    /** A bus whose every answer comes from the fuzzer; now and then a transfer fails. */
    private static final class FuzzedBus implements I2cDevice, SpiDevice {
        private final FuzzedDataProvider data;

        FuzzedBus(FuzzedDataProvider data) {
            this.data = data;
        }

        private void maybeFail() {
            if (data.remainingBytes() > 0 && data.consumeInt(0, 31) == 0) {
                throw new HalException(data.pickValue(REASONS), "fuzzed failure");
            }
        }

        @Override
        public String bus() {
            return "fuzz";
        }

        @Override
        public int address() {
            return 0x76;
        }

        @Override
        public int chipSelect() {
            return 0;
        }

        @Override
        public void writeRegister(int register, byte[] d, int offset, int length) {
            maybeFail();
        }

        @Override
        public void readRegister(int register, byte[] buffer, int offset, int length) {
            maybeFail();
            byte[] b = data.consumeBytes(length);
            System.arraycopy(b, 0, buffer, offset, b.length);
        }

        @Override
        public void transfer(byte[] tx, byte[] rx, int length) {
            maybeFail();
            byte[] b = data.consumeBytes(length);
            System.arraycopy(b, 0, rx, 0, b.length);
        }
    }

    @FuzzTest
    void chips(FuzzedDataProvider data) {
        FuzzedBus bus = new FuzzedBus(data);
        Pause none = d -> { };
        Duration timeout = Duration.ofMillis(1);
        int which = data.consumeInt(0, 2);
        try {
            if (which == 0) {
                Bme280.Config config = new Bme280.Config(data.pickValue(Bme280.Mode.values()),
                        data.pickValue(new Bme280.Oversampling[] {Bme280.Oversampling.X1, Bme280.Oversampling.X16}),
                        data.pickValue(Bme280.Oversampling.values()), data.pickValue(Bme280.Oversampling.values()),
                        data.pickValue(Bme280.Filter.values()), data.pickValue(Bme280.Standby.values()), timeout);
                Bme280 bme = new Bme280(bus, config, none);
                double[] v = new double[bme.quantities().size()];
                for (int i = 0; i < 3; i++) {
                    bme.read(v);
                    check(v[0], -40, 85);
                    for (int q = 1; q < v.length; q++) {
                        boolean humidity = bme.quantities().get(q).name().equals("humidity");
                        check(v[q], humidity ? 0 : 30_000, humidity ? 100 : 110_000);
                    }
                }
            } else if (which == 1) {
                Tmp102 tmp = new Tmp102(bus, new Tmp102.Config(data.consumeBoolean(),
                        data.pickValue(Tmp102.Mode.values()), data.pickValue(Tmp102.Rate.values()), timeout), none);
                double[] v = new double[1];
                for (int i = 0; i < 3; i++) {
                    tmp.read(v);
                    check(v[0], -55, 150);
                }
            } else {
                Mcp3008 adc = new Mcp3008(bus, 3.3);
                for (int i = 0; i < 3; i++) {
                    check(adc.readSingle(data.consumeInt(0, 7)), 0, 1023);
                    check(adc.readDifferential(0, 1), 0, 1023);
                }
            }
        } catch (HalException refused) {
            // the contract: a typed failure with a reason the agent acts on
        }
    }

    private static void check(double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new IllegalStateException("decoded " + value + " outside " + min + ".." + max);
        }
    }
}

package dev.fieldline.agent.internal;

import dev.fieldline.agent.AgentConfig;
import dev.fieldline.agent.AgentException;
import dev.fieldline.agent.AgentException.Reason;
import dev.fieldline.agent.HalEnvironment;
import dev.fieldline.agent.driver.Bme280;
import dev.fieldline.agent.driver.Button;
import dev.fieldline.agent.driver.Led;
import dev.fieldline.agent.driver.Mcp3008;
import dev.fieldline.agent.driver.Relay;
import dev.fieldline.agent.driver.SensorDriver;
import dev.fieldline.agent.driver.Tmp102;
import dev.fieldline.agent.driver.Tmp36;
import dev.fieldline.agent.hal.Board;
import dev.fieldline.agent.hal.DigitalOutput;
import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.Pull;
import dev.fieldline.agent.hal.ble.BleCentral;
import dev.fieldline.agent.hal.ble.BleCentralConfig;
import dev.fieldline.agent.hal.ble.BthomeKey;
import dev.fieldline.agent.hal.ble.BthomeSensorConfig;
import dev.fieldline.agent.hal.ble.DeviceMatch;
import dev.fieldline.agent.hal.ble.EssSensorConfig;
import dev.fieldline.agent.hal.esp32.Esp32Board;
import dev.fieldline.agent.hal.esp32.Esp32BridgeConfig;
import dev.fieldline.agent.hal.pi4j.Pi4jBoard;
import dev.fieldline.agent.hal.pi4j.Pi4jConfig;
import dev.fieldline.agent.hal.pi4j.Pi4jContexts;
import dev.fieldline.agent.hal.sim.SimBoard;
import dev.fieldline.boards.BoardProfile;
import dev.fieldline.boards.DeviceSpec;
import dev.fieldline.boards.I2cBus;
import dev.fieldline.boards.SerialBridge;
import dev.fieldline.protocol.Value;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A board profile made real: the {@link Board} of the profile's platform opened through its HAL
 * provider (sim, pi4j, esp32-bridge), the BLE central when the profile has BLE sensors, every
 * sensor behind a {@link SupervisedSensor}, and every output (LED, relay) in its safe state.
 * {@link #close()} puts the outputs in their safe state before it releases the hardware.
 */
public final class Hardware implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Hardware.class);

    /** An output the agent drives: an LED or a relay. */
    public record Output(String name, String driver, Supplier<Boolean> isOn, Consumer<Boolean> set, Runnable safe) {
    }

    private final BoardProfile profile;
    private final Board board;
    private final Optional<BleCentral> ble;
    private final List<SupervisedSensor> sensors = new ArrayList<>();
    private final Map<String, Output> outputs = new LinkedHashMap<>();
    private final List<Button> buttons = new ArrayList<>();
    private boolean closed;

    private Hardware(BoardProfile profile, Board board, Optional<BleCentral> ble) {
        this.profile = profile;
        this.board = board;
        this.ble = ble;
    }

    /**
     * Opens the board's hardware. A provider that cannot start stops here with an
     * {@link AgentException} (HARDWARE) that says what failed; a sensor that does not answer does
     * not: it is faulted and retried once the agent runs.
     */
    public static Hardware open(BoardProfile profile, AgentConfig config, HalEnvironment env, long bootId, Clock clock) {
        Board board = openBoard(profile, config, env, bootId, clock);
        Optional<BleCentral> ble = Optional.empty();
        Hardware hw = null;
        try {
            ble = openBle(profile, env);
            hw = new Hardware(profile, board, ble);
            hw.wire(config, clock);
            return hw;
        } catch (RuntimeException e) {
            if (hw != null) {
                hw.close();
            } else {
                ble.ifPresent(BleCentral::close);
                board.close();
            }
            if (e instanceof AgentException) {
                throw e;
            }
            throw new AgentException(Reason.HARDWARE, "board " + profile.name() + " (" + profile.platform() + "): "
                    + e.getMessage(), e);
        }
    }

    // ----------------------------------------------------------------------------------- boards

    private static Board openBoard(BoardProfile profile, AgentConfig config, HalEnvironment env, long bootId, Clock clock) {
        try {
            return switch (profile.platform()) {
                case BoardProfile.SIM -> new SimBoard(profile, config.sim(), config.simSeed() ^ bootId, clock);
                case BoardProfile.PI4J -> openPi4j(profile, env, clock);
                case BoardProfile.ESP32_BRIDGE -> openEsp32(profile, env);
                default -> throw new AgentException(Reason.UNKNOWN_BOARD, "board '" + profile.name()
                        + "' needs HAL platform '" + profile.platform() + "', which this agent does not provide");
            };
        } catch (HalException e) {
            throw new AgentException(Reason.HARDWARE, "board " + profile.name() + ": the " + profile.platform()
                    + " provider could not start: " + e.getMessage(), e);
        }
    }

    private static Board openPi4j(BoardProfile profile, HalEnvironment env, Clock clock) {
        Pi4jConfig pc = Pi4jConfig.forProfile(profile);
        Pi4jContexts contexts = env.pi4j().orElseGet(() -> Pi4jContexts.forHardware(pc));
        return Pi4jBoard.open(pc, contexts, clock);
    }

    private static Board openEsp32(BoardProfile profile, HalEnvironment env) {
        SerialBridge bridge = profile.providers().bridge().orElseThrow(() -> new AgentException(Reason.INVALID_CONFIG,
                "board " + profile.name() + " has no bridge section"));
        String port = env.serialPort().orElse(bridge.port());
        Esp32BridgeConfig bc = Esp32BridgeConfig.of(port).withBaud(bridge.baud())
                .withResetOnOpen(bridge.reset() && env.serialPort().isEmpty())
                .withRequestTimeout(bridge.timeout(), Esp32BridgeConfig.DEFAULT_RETRIES);
        Esp32Board board = Esp32Board.open(bc);
        try {
            for (I2cBus bus : profile.pinout().i2c().values()) {
                if (profile.sensors().stream().anyMatch(d -> i2cBus(d).filter(bus.name()::equals).isPresent())) {
                    board.defineI2cBus(bus.name(), bus.sda(), bus.scl(), bus.frequencyHz());
                }
            }
        } catch (RuntimeException e) {
            board.close();
            throw e;
        }
        return board;
    }

    private static Optional<String> i2cBus(DeviceSpec d) {
        if (d instanceof DeviceSpec.Bme280 b) {
            return Optional.of(b.bus());
        }
        if (d instanceof DeviceSpec.Tmp102 t) {
            return Optional.of(t.bus());
        }
        return Optional.empty();
    }

    private static Optional<BleCentral> openBle(BoardProfile profile, HalEnvironment env) {
        boolean any = profile.sensors().stream().anyMatch(d -> d instanceof DeviceSpec.BleEss || d instanceof DeviceSpec.Bthome);
        if (!any) {
            return Optional.empty();
        }
        BleCentralConfig bc = BleCentralConfig.of(profile.providers().bleAdapter());
        if (env.bleBusAddress().isPresent()) {
            bc = bc.withBusAddress(env.bleBusAddress().get());
        }
        try {
            return Optional.of(BleCentral.open(bc));
        } catch (HalException e) {
            throw new AgentException(Reason.HARDWARE, "board " + profile.name() + ": the BLE provider (bluez) could not start: "
                    + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------------------------- devices

    private void wire(AgentConfig config, Clock clock) {
        Random random = new Random();
        Map<String, Mcp3008> adcs = new HashMap<>();
        for (DeviceSpec d : profile.sensors()) {
            if (d instanceof DeviceSpec.Mcp3008 m) {
                adcs.put(m.name(), new Mcp3008(board.spi(m.bus(), m.chipSelect()), m.referenceVolts()));
            }
        }
        for (DeviceSpec d : profile.sensors()) {
            SupervisedSensor.Source source = source(d, adcs, clock);
            if (source != null) {
                sensors.add(new SupervisedSensor(d.name(), d.driver(), source, d.interval(), config.sensorRetry(),
                        random::nextDouble, clock.instant()));
            }
        }
        for (DeviceSpec d : profile.actuators()) {
            if (d instanceof DeviceSpec.Led l) {
                Led led = new Led(board.digitalOutput(l.pin(), Led.offLevel(l.activeLow())), l.activeLow());
                outputs.put(l.name(), new Output(l.name(), l.driver(), led::isOn, led::set, led::close));
            } else if (d instanceof DeviceSpec.Relay r) {
                DigitalOutput line = board.digitalOutput(r.pin(), Relay.safeLevel(r.activeLow(), r.safeOn()));
                Relay relay = new Relay(line, r.activeLow(), r.safeOn());
                outputs.put(r.name(), new Output(r.name(), r.driver(), relay::isEnergised, relay::set, relay::close));
            }
        }
        ble.ifPresent(BleCentral::start);
    }

    /** What the sampler reads for a sensor; null for one that reports nothing itself (an ADC chip serving others). */
    private SupervisedSensor.Source source(DeviceSpec d, Map<String, Mcp3008> adcs, Clock clock) {
        if (d instanceof DeviceSpec.Tmp36 t) {
            Tmp36 tmp;
            if (t.source() instanceof DeviceSpec.AnalogSource.BoardAdc a) {
                tmp = new Tmp36(board.analogInput(a.pin()), profile.adc().orElseThrow(() -> new AgentException(
                        Reason.INVALID_CONFIG, "board " + profile.name() + " has no ADC for " + t.name())));
            } else {
                DeviceSpec.AnalogSource.AdcChip c = (DeviceSpec.AnalogSource.AdcChip) t.source();
                Mcp3008 adc = adcs.get(c.adc());
                tmp = new Tmp36(adc.channel(c.channel()), adc.adc());
            }
            return driver(t.name(), tmp);
        }
        if (d instanceof DeviceSpec.Bme280 b) {
            return driver(b.name(), new Bme280(board.i2c(b.bus(), b.address()), Bme280.Config.weatherMonitoring()));
        }
        if (d instanceof DeviceSpec.Tmp102 t) {
            return driver(t.name(), new Tmp102(board.i2c(t.bus(), t.address()), Tmp102.Config.defaults()));
        }
        if (d instanceof DeviceSpec.Mcp3008 m) {
            return m.report().isEmpty() ? null : voltages(m, adcs.get(m.name()));
        }
        if (d instanceof DeviceSpec.Button b) {
            Pull pull = switch (b.pull()) {
                case UP -> Pull.UP;
                case DOWN -> Pull.DOWN;
                case NONE -> Pull.NONE;
            };
            Button button = new Button(board.digitalInput(b.pin(), pull), b.activeLow(), b.debounce(), clock::instant);
            buttons.add(button);
            return SupervisedSensor.Source.of(List.of(b.name()), List.of(""), values -> values[0] = new Value.Bool(button.poll()),
                    () -> { });
        }
        if (d instanceof DeviceSpec.BleEss e) {
            return driver(e.name(), ble.orElseThrow().essSensor(EssSensorConfig.of(match(e.filter())).withStaleAfter(e.staleAfter())));
        }
        if (d instanceof DeviceSpec.Bthome t) {
            BthomeSensorConfig bc = BthomeSensorConfig.of(match(t.filter())).withQuantities(t.quantities())
                    .withStaleAfter(t.staleAfter());
            if (t.keyHex().isPresent()) {
                bc = bc.withKey(BthomeKey.ofHex(t.keyHex().get()));
            }
            return driver(t.name(), ble.orElseThrow().bthomeSensor(bc));
        }
        throw new AgentException(Reason.INVALID_CONFIG, "no driver for " + d.driver() + " sensor " + d.name());
    }

    private static DeviceMatch match(DeviceSpec.BleFilter f) {
        return new DeviceMatch(f.address(), f.namePrefix(), Optional.empty(), java.util.OptionalInt.empty());
    }

    /** A {@link SensorDriver}: one reading named after the sensor, or {@code name/quantity} for several. */
    static SupervisedSensor.Source driver(String name, SensorDriver driver) {
        List<SensorDriver.Quantity> q = driver.quantities();
        List<String> names = q.size() == 1 ? List.of(name) : q.stream().map(x -> name + "/" + x.name()).toList();
        double[] raw = new double[q.size()];
        return SupervisedSensor.Source.of(names, q.stream().map(SensorDriver.Quantity::unit).toList(), values -> {
            driver.read(raw);
            for (int i = 0; i < raw.length; i++) {
                values[i] = new Value.Num(raw[i]);
            }
        }, driver::reinitialise);
    }

    /** The MCP3008 channels a profile reports: {@code name/chN} in volts. */
    private static SupervisedSensor.Source voltages(DeviceSpec.Mcp3008 m, Mcp3008 adc) {
        return SupervisedSensor.Source.of(m.report().stream().map(c -> m.name() + "/ch" + c).toList(),
                m.report().stream().map(c -> "V").toList(), values -> {
                    for (int i = 0; i < m.report().size(); i++) {
                        values[i] = new Value.Num(adc.readSingle(m.report().get(i)) * m.referenceVolts() / Mcp3008.MAX_CODE);
                    }
                }, () -> { });
    }

    // ----------------------------------------------------------------------------------- access

    public Board board() {
        return board;
    }

    /** The sensors, in profile order. */
    public List<SupervisedSensor> sensors() {
        return sensors;
    }

    /** The outputs by name, in profile order. */
    public Map<String, Output> outputs() {
        return outputs;
    }

    /** Puts every output in its safe state (an output that fails is logged; the others still go). */
    public synchronized void safeState() {
        for (Output o : outputs.values()) {
            try {
                o.safe().run();
            } catch (RuntimeException e) {
                log.warn("{} {} could not be put in its safe state: {}", o.driver(), o.name(), e.toString());
            }
        }
    }

    /** Outputs to their safe state, then the BLE central and the board are released. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        safeState();
        buttons.forEach(Button::close);
        ble.ifPresent(b -> {
            try {
                b.close();
            } catch (RuntimeException e) {
                log.warn("BLE central did not close cleanly: {}", e.toString());
            }
        });
        board.close();
    }
}

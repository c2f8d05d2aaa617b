package dev.fieldline.boards;

import dev.fieldline.config.ConfigNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The resolved wiring of a profile as text, for {@code fieldline agent --check}: the board, each
 * pin in use with its function and device, the buses with their addresses and chip selects, the
 * UARTs, ADC channels, BLE sensors, models, and the warnings.
 */
public final class WiringReport {
    private WiringReport() {
    }

    /** The report, lines ending in {@code \n}. */
    public static String describe(BoardProfile p) {
        StringBuilder b = new StringBuilder();
        b.append("board ").append(p.name());
        if (!p.lineage().isEmpty()) {
            b.append(" (extends ").append(String.join(" < ", p.lineage())).append(')');
        }
        if (!p.description().isBlank()) {
            b.append(": ").append(p.description());
        }
        b.append('\n');
        b.append("platform ").append(p.platform());
        p.chip().ifPresent(c -> b.append(", chip ").append(c));
        Map<String, String> chosen = p.providers().chosen();
        if (!chosen.isEmpty()) {
            List<String> parts = new ArrayList<>();
            chosen.forEach((k, v) -> parts.add(k + " " + v));
            b.append("; providers: ").append(String.join(", ", parts));
        }
        p.providers().bridge().ifPresent(br -> b.append("; bridge ").append(br.port()).append(" at ").append(br.baud())
                .append(" baud").append(br.reset() ? ", reset on open" : "").append(", timeout ")
                .append(ConfigNode.text(br.timeout())));
        b.append('\n');
        b.append("sampling every ").append(ConfigNode.text(p.samplingInterval()));
        List<String> uplink = new ArrayList<>();
        p.uplink().payloadFormat().ifPresent(f -> uplink.add("payload-format " + f.name().toLowerCase(Locale.ROOT)));
        p.uplink().heartbeatInterval().ifPresent(h -> uplink.add("heartbeat every " + ConfigNode.text(h)));
        p.uplink().maxInFlight().ifPresent(m -> uplink.add("max-in-flight " + m));
        if (!uplink.isEmpty()) {
            b.append("; uplink: ").append(String.join(", ", uplink));
        }
        List<String> limits = new ArrayList<>();
        p.limits().heapBytes().ifPresent(h -> limits.add("heap " + ConfigNode.sizeText(h)));
        p.limits().journalBytes().ifPresent(j -> limits.add("journal " + ConfigNode.sizeText(j)));
        if (!limits.isEmpty()) {
            b.append("; limits: ").append(String.join(", ", limits));
        }
        b.append('\n');

        // pin -> function -> device
        TreeMap<Integer, String[]> pins = new TreeMap<>();
        for (DeviceSpec d : p.devices().toList()) {
            if (d instanceof DeviceSpec.Tmp36 t && t.source() instanceof DeviceSpec.AnalogSource.BoardAdc a) {
                pins.put(a.pin(), new String[] {"adc" + a.unit() + "." + a.channel(), device(d)});
            } else if (d instanceof DeviceSpec.Button x) {
                pins.put(x.pin(), new String[] {"digital input", device(d)});
            } else if (d instanceof DeviceSpec.Led x) {
                pins.put(x.pin(), new String[] {"digital output", device(d)});
            } else if (d instanceof DeviceSpec.Relay x) {
                pins.put(x.pin(), new String[] {"digital output", device(d)});
            }
        }
        for (I2cBus bus : usedI2c(p)) {
            pins.put(bus.sda(), new String[] {bus.name() + " SDA", "bus " + bus.name()});
            pins.put(bus.scl(), new String[] {bus.name() + " SCL", "bus " + bus.name()});
        }
        for (SpiBus bus : usedSpi(p)) {
            pins.put(bus.mosi(), new String[] {bus.name() + " MOSI", "bus " + bus.name()});
            pins.put(bus.miso(), new String[] {bus.name() + " MISO", "bus " + bus.name()});
            pins.put(bus.sclk(), new String[] {bus.name() + " SCLK", "bus " + bus.name()});
            for (DeviceSpec d : p.sensors()) {
                if (d instanceof DeviceSpec.Mcp3008 m && m.bus().equals(bus.name())) {
                    pins.put(bus.chipSelects().get(m.chipSelect()), new String[] {bus.name() + " CE" + m.chipSelect(), device(d)});
                }
            }
        }
        b.append("pins");
        if (pins.isEmpty()) {
            b.append(": none in use");
        }
        b.append('\n');
        int labelWidth = pins.keySet().stream().mapToInt(n -> label(p, n).length()).max().orElse(0);
        int fnWidth = pins.values().stream().mapToInt(v -> v[0].length()).max().orElse(0);
        pins.forEach((n, v) -> b.append(String.format(Locale.ROOT, "  %-" + labelWidth + "s  %-" + fnWidth + "s  %s%n",
                label(p, n), v[0], v[1])));

        List<I2cBus> i2c = usedI2c(p);
        List<SpiBus> spi = usedSpi(p);
        if (!i2c.isEmpty() || !spi.isEmpty()) {
            b.append("buses\n");
        }
        for (I2cBus bus : i2c) {
            b.append("  ").append(bus.name()).append(bus.device().map(d -> " " + d).orElse(" (controller " + bus.number() + ")"))
                    .append(" (SDA GPIO").append(bus.sda()).append(", SCL GPIO").append(bus.scl()).append(", ")
                    .append(bus.frequencyHz() / 1000).append(" kHz)\n");
            TreeMap<Integer, DeviceSpec> at = new TreeMap<>();
            for (DeviceSpec d : p.sensors()) {
                if (d instanceof DeviceSpec.Bme280 x && x.bus().equals(bus.name())) {
                    at.put(x.address(), d);
                } else if (d instanceof DeviceSpec.Tmp102 x && x.bus().equals(bus.name())) {
                    at.put(x.address(), d);
                }
            }
            at.forEach((a, d) -> b.append("    ").append(DeviceSpec.hex(a)).append("  ").append(device(d)).append('\n'));
        }
        for (SpiBus bus : spi) {
            b.append("  ").append(bus.name()).append(bus.device().map(d -> " " + d + ".N").orElse(" (controller " + bus.number() + ")"))
                    .append(" (MOSI GPIO").append(bus.mosi()).append(", MISO GPIO").append(bus.miso()).append(", SCLK GPIO")
                    .append(bus.sclk()).append(")\n");
            for (DeviceSpec d : p.sensors()) {
                if (d instanceof DeviceSpec.Mcp3008 m && m.bus().equals(bus.name())) {
                    b.append("    CE").append(m.chipSelect()).append(" (GPIO").append(bus.chipSelects().get(m.chipSelect()))
                            .append(")  ").append(device(d)).append('\n');
                }
            }
        }
        if (!p.pinout().uart().isEmpty()) {
            b.append("uarts (").append(p.providers().serial().orElse("no serial provider")).append(")\n");
        }
        for (Uart u : p.pinout().uart().values()) {
            b.append("  ").append(u.name()).append(u.device().map(d -> " " + d).orElse(""))
                    .append(" (TX GPIO").append(u.tx()).append(", RX GPIO").append(u.rx()).append(", ")
                    .append(u.settings()).append(")\n");
        }
        List<String> chipChannels = new ArrayList<>();
        for (DeviceSpec d : p.sensors()) {
            if (d instanceof DeviceSpec.Tmp36 t && t.source() instanceof DeviceSpec.AnalogSource.AdcChip c) {
                chipChannels.add("  " + c.adc() + " ch" + c.channel() + "  " + device(d) + "\n");
            }
        }
        if (!chipChannels.isEmpty()) {
            b.append("adc channels\n");
            chipChannels.forEach(b::append);
        }
        List<DeviceSpec> ble = p.sensors().stream()
                .filter(d -> d instanceof DeviceSpec.BleEss || d instanceof DeviceSpec.Bthome).toList();
        if (!ble.isEmpty()) {
            b.append("ble (").append(p.providers().ble().orElse("none")).append(", ").append(p.providers().bleAdapter())
                    .append(")\n");
            ble.forEach(d -> b.append("  ").append(device(d)).append('\n'));
        }
        if (!p.models().isEmpty()) {
            b.append("models\n");
            for (ModelSpec m : p.models()) {
                String source = m.source() instanceof ModelSpec.Source.Stock s ? "stock " + s.name()
                        : "file " + ((ModelSpec.Source.File) m.source()).path();
                String input = m.input() instanceof ModelSpec.Input.SensorWindow w ? "window of " + w.sensor()
                        : "frames from " + ((ModelSpec.Input.Frames) m.input()).path();
                b.append("  ").append(m.name()).append(": ").append(source).append(" on ").append(m.engine()).append(", ")
                        .append(input).append('\n');
            }
        }
        if (!p.warnings().isEmpty()) {
            b.append("warnings\n");
            p.warnings().forEach(w -> b.append("  ").append(w).append('\n'));
        }
        return b.toString();
    }

    private static String label(BoardProfile p, int pin) {
        return p.pinout().pin(pin).map(Pin::label).orElse("GPIO" + pin);
    }

    private static List<I2cBus> usedI2c(BoardProfile p) {
        return p.pinout().i2c().values().stream().filter(bus -> p.sensors().stream().anyMatch(d ->
                d instanceof DeviceSpec.Bme280 x && x.bus().equals(bus.name())
                        || d instanceof DeviceSpec.Tmp102 y && y.bus().equals(bus.name()))).toList();
    }

    private static List<SpiBus> usedSpi(BoardProfile p) {
        return p.pinout().spi().values().stream().filter(bus -> p.sensors().stream().anyMatch(d ->
                d instanceof DeviceSpec.Mcp3008 x && x.bus().equals(bus.name()))).toList();
    }

    /** {@code door (button, active-low, pull up, debounce 20ms)}. */
    static String device(DeviceSpec d) {
        List<String> a = new ArrayList<>();
        a.add(d.driver());
        if (d instanceof DeviceSpec.Button x) {
            if (x.activeLow()) {
                a.add("active-low");
            }
            a.add("pull " + x.pull());
            a.add("debounce " + ConfigNode.text(x.debounce()));
        } else if (d instanceof DeviceSpec.Led x) {
            if (x.activeLow()) {
                a.add("active-low");
            }
            a.add("safe state off");
        } else if (d instanceof DeviceSpec.Relay x) {
            if (x.activeLow()) {
                a.add("active-low");
            }
            a.add("safe state " + (x.safeOn() ? "on" : "off"));
        } else if (d instanceof DeviceSpec.Mcp3008 x) {
            a.add(String.format(Locale.ROOT, "%.2f V reference", x.referenceVolts()));
            if (!x.report().isEmpty()) {
                a.add("reports " + x.report().stream().map(c -> "ch" + c).reduce((l, r) -> l + " " + r).orElse(""));
            }
        } else if (d instanceof DeviceSpec.BleEss x) {
            a.addAll(filter(x.filter()));
            a.add("stale after " + ConfigNode.text(x.staleAfter()));
        } else if (d instanceof DeviceSpec.Bthome x) {
            a.addAll(filter(x.filter()));
            a.add(String.join(" ", x.quantities()));
            if (x.keyHex().isPresent()) {
                a.add("encrypted");
            }
            a.add("stale after " + ConfigNode.text(x.staleAfter()));
        }
        d.interval().ifPresent(i -> a.add("every " + ConfigNode.text(i)));
        return d.name() + " (" + String.join(", ", a) + ")";
    }

    private static List<String> filter(DeviceSpec.BleFilter f) {
        List<String> out = new ArrayList<>();
        f.address().ifPresent(x -> out.add("address " + x));
        Optional<String> name = f.namePrefix();
        name.ifPresent(x -> out.add("name " + x + "*"));
        return out;
    }
}

package dev.fieldline.agent.hal.pi4j;

import dev.fieldline.agent.hal.pi4j.Pi4jProviders.Kind;
import dev.fieldline.boards.BoardProfile;
import dev.fieldline.boards.Pin;
import dev.fieldline.boards.Uart;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the pi4j board needs to know beyond the providers: the board's name (for messages), which GPIO
 * pins carry a hardware PWM channel, the SPI clock, and the UARTs (served by jSerialComm).
 *
 * @param board the board profile's name, e.g. {@code rpi4b}, named in every error
 * @param providers the provider per I/O kind
 * @param pwmChannels GPIO pin (BCM numbering) to hardware PWM channel of the board's PWM chip, e.g.
 *     {@code 12 -> 0, 13 -> 1} on a Pi 4 with {@code dtoverlay=pwm-2chan,pin=12,func=4,pin2=13,func2=4}
 * @param pwmChip the sysfs PWM chip number ({@code /sys/class/pwm/pwmchipN}): 0 on Pi 3/4/Zero 2W, 2 on a Pi 5
 *     with a current kernel (RP1)
 * @param spiClockHz SPI clock for every device, e.g. 1 MHz (an MCP3008 at 3.3 V allows 1.35 MHz)
 * @param uarts the UARTs by name, each with its device file and line settings; empty when the
 *     profile chose no serial provider
 */
public record Pi4jConfig(String board, Pi4jProviders providers, Map<Integer, Integer> pwmChannels, int pwmChip,
        int spiClockHz, Map<String, Uart> uarts) {

    /** The SPI clock when the profile names none. */
    public static final int DEFAULT_SPI_CLOCK_HZ = 1_000_000;

    public Pi4jConfig {
        if (board == null || board.isBlank()) {
            throw new IllegalArgumentException("board must be a name, was " + board);
        }
        if (providers == null) {
            throw new IllegalArgumentException("providers must not be null");
        }
        if (pwmChannels == null) {
            throw new IllegalArgumentException("pwmChannels must not be null (use Map.of())");
        }
        pwmChannels = Collections.unmodifiableMap(new TreeMap<>(pwmChannels));
        if (pwmChip < 0) {
            throw new IllegalArgumentException("pwmChip must be >= 0, was " + pwmChip);
        }
        if (spiClockHz < 1_000 || spiClockHz > 125_000_000) {
            throw new IllegalArgumentException("spiClockHz must be in 1 kHz..125 MHz, was " + spiClockHz);
        }
        if (uarts == null) {
            throw new IllegalArgumentException("uarts must not be null (use Map.of())");
        }
        for (Map.Entry<String, Uart> e : uarts.entrySet()) {
            if (!e.getKey().equals(e.getValue().name()) || e.getValue().device().isEmpty()) {
                throw new IllegalArgumentException("uarts must map each UART's name to it with its device file, was "
                        + e.getKey() + " -> " + e.getValue());
            }
        }
        uarts = Collections.unmodifiableMap(new LinkedHashMap<>(uarts));
    }

    /** Without UARTs. */
    public Pi4jConfig(String board, Pi4jProviders providers, Map<Integer, Integer> pwmChannels, int pwmChip,
            int spiClockHz) {
        this(board, providers, pwmChannels, pwmChip, spiClockHz, Map.of());
    }

    /**
     * The same board with UART {@code uart} on another device file: a pty in tests, or a USB serial
     * adapter in place of the header UART.
     */
    public Pi4jConfig withUartDevice(String uart, String device) {
        Uart u = uarts.get(uart);
        if (u == null) {
            throw new IllegalArgumentException("board " + board + " has no UART '" + uart + "'; UARTs: " + uarts.keySet());
        }
        Map<String, Uart> copy = new LinkedHashMap<>(uarts);
        copy.put(uart, new Uart(u.name(), u.tx(), u.rx(), Optional.of(device), u.baud(), u.dataBits(), u.parity(),
                u.stopBits()));
        return new Pi4jConfig(board, providers, pwmChannels, pwmChip, spiClockHz, copy);
    }

    /** The sysfs PWM chip of the Raspberry Pi 5's RP1 (Pi4J's default there). */
    static final int RP1_PWM_CHIP = 2;

    /**
     * The configuration a {@code pi4j} board profile describes: its providers (digital for both
     * input and output), its hardware PWM pins ({@code pwmC.N} functions) and, on a Pi 5 (chip
     * {@code bcm2712}), the RP1's PWM chip.
     */
    public static Pi4jConfig forProfile(BoardProfile profile) {
        if (!BoardProfile.PI4J.equals(profile.platform())) {
            throw new IllegalArgumentException("board " + profile.name() + " is for platform " + profile.platform()
                    + ", not " + BoardProfile.PI4J);
        }
        Map<Kind, String> kinds = new EnumMap<>(Kind.class);
        profile.providers().digital().ifPresent(d -> {
            kinds.put(Kind.DIGITAL_INPUT, d);
            kinds.put(Kind.DIGITAL_OUTPUT, d);
        });
        profile.providers().i2c().ifPresent(p -> kinds.put(Kind.I2C, p));
        profile.providers().spi().ifPresent(p -> kinds.put(Kind.SPI, p));
        profile.providers().pwm().ifPresent(p -> kinds.put(Kind.PWM, p));
        Map<Integer, Integer> pwm = new TreeMap<>();
        for (Pin pin : profile.pinout().pins().values()) {
            pin.hardwarePwm().ifPresent(c -> pwm.put(pin.number(), c.channel()));
        }
        int chip = profile.chip().filter("bcm2712"::equals).isPresent() ? RP1_PWM_CHIP : 0;
        Map<String, Uart> uarts = profile.providers().serial().isPresent() ? profile.pinout().uart() : Map.of();
        return new Pi4jConfig(profile.name(), new Pi4jProviders(kinds), pwm, chip, DEFAULT_SPI_CLOCK_HZ, uarts);
    }

    /** A board without hardware PWM channels, PWM chip 0 and the default SPI clock. */
    public static Pi4jConfig of(String board, Pi4jProviders providers) {
        return new Pi4jConfig(board, providers, Map.of(), 0, DEFAULT_SPI_CLOCK_HZ);
    }
}

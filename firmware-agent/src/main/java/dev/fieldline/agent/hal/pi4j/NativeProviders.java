package dev.fieldline.agent.hal.pi4j;

import com.pi4j.Pi4J;
import com.pi4j.boardinfo.util.BoardInfoHelper;
import com.pi4j.context.Context;
import com.pi4j.library.gpiod.internal.GpioDContext;
import com.pi4j.library.pigpio.PiGpio;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalInputProvider;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalOutputProvider;
import com.pi4j.plugin.linuxfs.provider.i2c.LinuxFsI2CProvider;
import com.pi4j.plugin.linuxfs.provider.pwm.LinuxFsPwmProvider;
import com.pi4j.plugin.linuxfs.provider.spi.LinuxFsSpiProvider;
import com.pi4j.plugin.pigpio.provider.gpio.digital.PiGpioDigitalInputProvider;
import com.pi4j.plugin.pigpio.provider.gpio.digital.PiGpioDigitalOutputProvider;
import com.pi4j.provider.Provider;
import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.pi4j.Pi4jProviders.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The real Pi4J providers, each built explicitly (no classpath scanning, so Pi4J's mock plugin is
 * never picked up), with the checks Pi4J itself leaves out: it logs a provider that fails to
 * initialise and carries on without it, and its gpiod provider skips initialisation off a Pi with
 * a warning. Every failure here is a {@link HalException} with reason UNSUPPORTED naming the
 * provider, the board and what to install or enable.
 */
final class NativeProviders implements Pi4jContexts {
    private static final String NATIVE_ARCHES = "Pi4J's native libraries exist for aarch64 and armhf";

    private final Pi4jConfig config;
    private PiGpio pigpio;

    NativeProviders(Pi4jConfig config) {
        this.config = config;
    }

    @Override
    public String providerName(Kind kind) {
        return config.providers().provider(kind).orElse("none");
    }

    @Override
    public synchronized Context open(Set<Kind> kinds) {
        Map<Kind, Provider<?, ?, ?>> providers = new LinkedHashMap<>();
        for (Kind kind : kinds) {
            String name = config.providers().provider(kind).orElseThrow(() -> new HalException(
                    HalException.Reason.UNSUPPORTED, "board " + config.board() + " chose no pi4j provider for "
                            + kind.label() + "; valid: " + String.join(", ", kind.allowed())));
            providers.put(kind, create(kind, name));
        }
        Context context;
        try {
            context = Pi4J.newContextBuilder().noAutoDetect().disableShutdownHook()
                    .add(providers.values().toArray(new Provider[0])).build();
        } catch (RuntimeException | LinkageError e) {
            throw failure(kinds.iterator().next(), "the Pi4J context could not start: " + e, e);
        }
        for (Map.Entry<Kind, Provider<?, ?, ?>> p : providers.entrySet()) {
            // Pi4J logs a provider whose initialize() threw and goes on without it
            if (!context.providers().exists(p.getValue().id())) {
                context.shutdown();
                throw failure(p.getKey(), "Pi4J could not initialise its provider " + p.getValue().id()
                        + " (Pi4J's log says why)", null);
            }
        }
        return context;
    }

    private Provider<?, ?, ?> create(Kind kind, String name) {
        switch (name) {
            case Pi4jProviders.GPIOD -> {
                requireRaspberryPi(kind, name);
                requireFile(kind, Path.of("/dev/gpiochip0"), "the GPIO character device");
                try {
                    // Pi4J's provider does this inside initialize() and swallows the failure
                    GpioDContext.getInstance().initialize();
                } catch (RuntimeException | LinkageError e) {
                    throw failure(kind, "libgpiod could not open the GPIO chip: " + e, e);
                }
                return kind == Kind.DIGITAL_INPUT ? GpioDDigitalInputProvider.newInstance()
                        : GpioDDigitalOutputProvider.newInstance();
            }
            case Pi4jProviders.PIGPIO -> {
                requireRaspberryPi(kind, name);
                if (BoardInfoHelper.usesRP1()) {
                    throw failure(kind, "this is a Raspberry Pi 5, which pigpio does not support", null);
                }
                PiGpio lib = pigpio();
                return kind == Kind.DIGITAL_INPUT ? PiGpioDigitalInputProvider.newInstance(lib)
                        : PiGpioDigitalOutputProvider.newInstance(lib);
            }
            case Pi4jProviders.LINUXFS -> {
                return switch (kind) {
                    case I2C -> LinuxFsI2CProvider.newInstance();
                    case SPI -> LinuxFsSpiProvider.newInstance();
                    case PWM -> LinuxFsPwmProvider.newInstance("/sys/class/pwm", config.pwmChip());
                    default -> throw new IllegalStateException("linuxfs cannot serve " + kind);
                };
            }
            default -> throw new IllegalStateException("unknown provider " + name);
        }
    }

    private PiGpio pigpio() {
        if (pigpio == null) {
            try {
                PiGpio lib = PiGpio.newNativeInstance();
                lib.initialize();
                pigpio = lib;
            } catch (RuntimeException | LinkageError e) {
                throw failure(Kind.DIGITAL_INPUT, "the pigpio library could not start: " + e, e);
            }
        }
        return pigpio;
    }

    private void requireRaspberryPi(Kind kind, String name) {
        if (!BoardInfoHelper.runningOnRaspberryPi()) {
            throw failure(kind, "this machine is not a Raspberry Pi (Pi4J detected board model "
                    + BoardInfoHelper.current().getBoardModel() + " on " + System.getProperty("os.arch")
                    + "), and " + name + " only drives a Pi's GPIO", null);
        }
    }

    private void requireFile(Kind kind, Path path, String what) {
        if (!Files.exists(path)) {
            throw failure(kind, path + " (" + what + ") does not exist", null);
        }
        if (!Files.isReadable(path) || !Files.isWritable(path)) {
            throw failure(kind, path + " (" + what + ") is not readable and writable by this user", null);
        }
    }

    private HalException failure(Kind kind, String why, Throwable cause) {
        return failure(config.board(), providerName(kind), kind, why, cause);
    }

    /** The start-up failure of a provider: what failed, on which board, and what to do. */
    static HalException failure(String board, String provider, Kind kind, String why, Throwable cause) {
        String reason = why.endsWith(".") ? why.substring(0, why.length() - 1) : why;
        return new HalException(HalException.Reason.UNSUPPORTED, "pi4j provider " + provider + " (" + kind.label()
                + ") cannot start on board " + board + ": " + reason + ". " + hint(provider, kind), cause);
    }

    /** What to install or enable for a provider. */
    static String hint(String provider, Kind kind) {
        return switch (provider) {
            case Pi4jProviders.GPIOD -> "gpiod needs a Raspberry Pi whose GPIO character device (/dev/gpiochip0) the"
                    + " agent's user may read and write (add it to group 'gpio'); " + NATIVE_ARCHES + ".";
            case Pi4jProviders.PIGPIO -> "pigpio needs root (run the agent with sudo), the pigpio C library"
                    + " (sudo apt install pigpio) and no running pigpiod daemon; it does not support the Raspberry"
                    + " Pi 5 (choose gpiod there); " + NATIVE_ARCHES + ".";
            case Pi4jProviders.LINUXFS -> switch (kind) {
                case I2C -> "Enable I2C (sudo raspi-config nonint do_i2c 0, or dtparam=i2c_arm=on in"
                        + " /boot/firmware/config.txt, then reboot) and add the agent's user to group 'i2c'; "
                        + NATIVE_ARCHES + ".";
                case SPI -> "Enable SPI (sudo raspi-config nonint do_spi 0, or dtparam=spi=on in"
                        + " /boot/firmware/config.txt, then reboot) and add the agent's user to group 'spi'.";
                case PWM -> "Enable hardware PWM with an overlay in /boot/firmware/config.txt (e.g. dtoverlay=pwm-2chan"
                        + " for GPIO 18 and 19), reboot, and let the agent's user write /sys/class/pwm (group 'gpio').";
                default -> "";
            };
            default -> "Valid providers for " + kind.label() + ": " + String.join(", ", kind.allowed()) + ".";
        };
    }

    @Override
    public synchronized void close() {
        if (pigpio != null) {
            pigpio.shutdown();
            pigpio = null;
        }
    }
}

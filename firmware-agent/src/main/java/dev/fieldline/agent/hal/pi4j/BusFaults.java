package dev.fieldline.agent.hal.pi4j;

import com.pi4j.library.linuxfs.LinuxFile;
import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.HalException.Reason;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Turns what Pi4J throws on a bus transfer into a {@link HalException} with a reason the agent can act
 * on. Linux reports I2C failures as errno values on the ioctl: EREMOTEIO when the device did not
 * acknowledge (i2c-bcm2835 on Pi 3/4 and the Pi 5's DesignWare controller report an unanswered
 * address and a refused byte alike), ENXIO from adapters that tell an unanswered address apart,
 * ETIMEDOUT when the bus hung (clock stretching, a stuck line). Pi4J wraps the errno in its
 * linuxfs {@code LinuxFileException}, whose message is the C library's text for it; both are read.
 */
final class BusFaults {
    static final int EIO = 5;
    static final int ENXIO = 6;
    static final int EAGAIN = 11;
    static final int ENODEV = 19;
    static final int ETIMEDOUT = 110;
    static final int EREMOTEIO = 121;

    /** glibc's strerror texts for the codes above, for causes that carry only the text. */
    private static final Map<String, Integer> TEXTS = Map.of(
            "input/output error", EIO,
            "no such device or address", ENXIO,
            "resource temporarily unavailable", EAGAIN,
            "no such device", ENODEV,
            "connection timed out", ETIMEDOUT,
            "remote i/o error", EREMOTEIO);

    private BusFaults() {
    }

    /**
     * The HAL failure for {@code failure}, a Pi4J exception of a transfer with {@code what} (e.g.
     * {@code "I2C read of register 0xd0 from 0x76 on i2c1"}). A refusal from a device that has never
     * answered since it was opened counts as absent.
     */
    static HalException translate(Throwable failure, String what, boolean answeredBefore) {
        OptionalInt errno = errno(failure);
        String detail = rootMessage(failure);
        if (errno.isPresent()) {
            switch (errno.getAsInt()) {
                case ENXIO, ENODEV:
                    return new HalException(Reason.ABSENT, what + ": nothing answers at this address (" + detail + ")",
                            failure);
                case EREMOTEIO:
                    return answeredBefore
                            ? new HalException(Reason.NACK, what + ": the device did not acknowledge (" + detail + ")",
                                    failure)
                            : new HalException(Reason.ABSENT, what + ": nothing acknowledges at this address ("
                                    + detail + "); check the wiring, the address and the supply", failure);
                case ETIMEDOUT:
                    return new HalException(Reason.TIMEOUT, what + ": the bus timed out (" + detail
                            + "); a device may hold SCL or SDA low", failure);
                default:
                    return new HalException(Reason.IO, what + ": " + detail, failure);
            }
        }
        if (detail.startsWith("Failed to get I2C lock")) {
            return new HalException(Reason.TIMEOUT, what + ": " + detail, failure);
        }
        return new HalException(Reason.IO, what + ": " + detail, failure);
    }

    /** The errno a Pi4J failure carries, if any. */
    static OptionalInt errno(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof LinuxFile.LinuxFileException e) {
                return OptionalInt.of(e.getCode());
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException && t.getMessage() != null) {
                Integer code = TEXTS.get(t.getMessage().strip().toLowerCase(java.util.Locale.ROOT));
                if (code != null) {
                    return OptionalInt.of(code);
                }
            }
        }
        return OptionalInt.empty();
    }

    private static String rootMessage(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}

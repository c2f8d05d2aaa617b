package dev.fieldline.agent.hal.pi4j.emulated;

/**
 * A failure the emulated bus produces for a chip, as Linux's i2c-dev reports it through Pi4J's
 * linuxfs provider: the errno's text in an IOException under a Pi4JException.
 */
public enum BusFault {
    /** The chip does not acknowledge: EREMOTEIO. */
    NACK("Remote I/O error"),
    /** The bus hangs: ETIMEDOUT. */
    TIMEOUT("Connection timed out");

    private final String strerror;

    BusFault(String strerror) {
        this.strerror = strerror;
    }

    /** What the C library calls the errno. */
    public String strerror() {
        return strerror;
    }
}

package dev.fieldline.agent.hal.esp32;

import dev.fieldline.agent.hal.HalException;

/**
 * A frame on the serial line that could not be decoded: its reason is always
 * {@link HalException.Reason#GARBAGE}, and {@link #defect()} says what was wrong with it.
 */
public final class FrameException extends HalException {
    private static final long serialVersionUID = 1L;

    /** What was wrong with a frame. */
    public enum Defect {
        /** Decoded, but its CRC does not match: bits changed on the line. */
        CRC,
        /** Not COBS, or shorter than kind, id and CRC: text, noise, or a frame cut off. */
        FRAMING,
        /** More than {@value BridgeProtocol#MAX_ENCODED} bytes without a delimiter. */
        OVERSIZE
    }

    private final Defect defect;

    public FrameException(Defect defect, String message) {
        super(Reason.GARBAGE, message);
        this.defect = defect;
    }

    public Defect defect() {
        return defect;
    }
}

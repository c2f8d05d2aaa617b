package dev.fieldline.gateway.rules;

import java.util.Map;

/** Labels the operator gave a device (e.g. {@code site=north}), for scoping rules. */
@FunctionalInterface
public interface DeviceLabels {
    /** The device's labels; empty when it has none. Must be cheap: called per evaluation. */
    Map<String, String> of(String deviceId);
}

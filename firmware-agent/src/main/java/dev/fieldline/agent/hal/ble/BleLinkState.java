package dev.fieldline.agent.hal.ble;

/** Where a BLE sensor's link is. */
public enum BleLinkState {
    /** Not started yet. */
    IDLE,
    /** Waiting for discovery to find the device (or, for an advertising sensor, listening). */
    SEARCHING,
    /** Connecting and resolving GATT services. */
    CONNECTING,
    /** Connected, subscribed to notifications (or polling). For an advertising sensor: receiving. */
    CONNECTED,
    /** The connection was lost; attempts go on with backoff. */
    RECONNECTING,
    /** Closed with the central. */
    CLOSED
}

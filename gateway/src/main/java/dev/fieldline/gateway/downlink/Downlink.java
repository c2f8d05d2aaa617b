package dev.fieldline.gateway.downlink;

import dev.fieldline.protocol.Command;
import java.util.List;

/**
 * Command hub: the API and analytics queue commands here; transports register to carry them and
 * ask for what is pending when a device (re)connects or observes its command resource.
 */
public interface Downlink {
    void register(DownlinkTransport transport);

    /** Queues a command for a device and tries to deliver it at once on any transport that reaches it. */
    void enqueue(String deviceId, Command command);

    /** Commands queued for the device that no transport has delivered yet, oldest first. */
    List<Command> pending(String deviceId);

    /** Marks a command as handed to the device (so it is not sent again). */
    void delivered(String deviceId, String commandId);
}

package dev.fieldline.gateway.mqtt;

import dev.fieldline.gateway.downlink.Downlink;
import dev.fieldline.gateway.downlink.DownlinkTransport;
import dev.fieldline.protocol.Command;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** An in-memory command hub: queues per device, tries registered transports, records deliveries. */
public final class FakeDownlink implements Downlink {
    /** A delivery the transport reported. */
    public record Delivery(String deviceId, String commandId) {
    }

    private final List<DownlinkTransport> transports = new CopyOnWriteArrayList<>();
    private final Map<String, LinkedHashMap<String, Command>> pending = new LinkedHashMap<>();
    private final List<Delivery> delivered = new CopyOnWriteArrayList<>();

    @Override
    public void register(DownlinkTransport transport) {
        transports.add(transport);
    }

    @Override
    public void enqueue(String deviceId, Command command) {
        synchronized (pending) {
            pending.computeIfAbsent(deviceId, d -> new LinkedHashMap<>()).put(command.id(), command);
        }
        for (DownlinkTransport t : transports) {
            if (t.reaches(deviceId) && t.send(deviceId, command)) {
                return;
            }
        }
    }

    @Override
    public List<Command> pending(String deviceId) {
        synchronized (pending) {
            return new ArrayList<>(pending.getOrDefault(deviceId, new LinkedHashMap<>()).values());
        }
    }

    @Override
    public void delivered(String deviceId, String commandId) {
        synchronized (pending) {
            LinkedHashMap<String, Command> queue = pending.get(deviceId);
            if (queue != null) {
                queue.remove(commandId);
            }
        }
        delivered.add(new Delivery(deviceId, commandId));
    }

    public List<DownlinkTransport> transports() {
        return List.copyOf(transports);
    }

    public List<Delivery> delivered() {
        return List.copyOf(delivered);
    }
}

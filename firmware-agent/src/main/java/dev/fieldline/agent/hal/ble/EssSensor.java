package dev.fieldline.agent.hal.ble;

import dev.fieldline.agent.driver.SensorDriver;
import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.HalException.Reason;
import dev.fieldline.agent.uplink.Reconnector;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bluez.Device1;
import org.bluez.GattCharacteristic1;
import org.freedesktop.dbus.types.Variant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sensor offering the Environmental Sensing Service over GATT. In the background (on the
 * central's {@code fl-ble} thread) it connects to the device, reads the configured characteristics,
 * subscribes to their notifications (or polls those that cannot notify), and after a loss reconnects
 * with backoff. {@link #read} serves the latest values: STALE when they are older than
 * {@code staleAfter} (or none came yet), ABSENT when BlueZ has not seen the device.
 */
public final class EssSensor implements SensorDriver, BleCentral.Sensor {
    private static final Logger log = LoggerFactory.getLogger(EssSensor.class);

    private final BleCentral central;
    private final EssSensorConfig config;
    private final List<Quantity> quantities;
    private final Reconnector reconnector;
    private final LatestValues latest;
    private final List<String> subscribed = new ArrayList<>();
    private final List<ScheduledFuture<?>> polls = new ArrayList<>();
    private final AtomicLong notifications = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private volatile BleLinkState state = BleLinkState.IDLE;
    private volatile String devicePath;
    private volatile String connectRequested;
    private volatile HalException lastError;

    EssSensor(BleCentral central, EssSensorConfig config) {
        this.central = central;
        this.config = config;
        this.quantities = config.characteristics().stream().map(c -> new Quantity(c.quantity(), c.unit())).toList();
        this.latest = new LatestValues(quantities.size(), config.staleAfter());
        this.reconnector = new Reconnector("BLE ESS " + config.match(), config.reconnect(), central.scheduler(), this::attempt, new Random());
    }

    @Override
    public List<Quantity> quantities() {
        return quantities;
    }

    @Override
    public void read(double[] out) {
        Instant now = central.clock().instant();
        int missing = latest.copyIfFresh(out, now);
        if (missing >= 0) {
            throw unavailable(missing, now);
        }
    }

    private HalException unavailable(int i, Instant now) {
        Optional<BleDevice> device = Optional.ofNullable(devicePath).flatMap(central::device).or(() -> central.find(config.match()));
        String cause = Optional.ofNullable(lastError).map(e -> "; last error: " + e.getMessage()).orElse("");
        if (device.isEmpty() || !device.get().present()) {
            return new HalException(Reason.ABSENT, "BLE device " + config.match() + " not seen on " + central.adapter() + cause);
        }
        return new HalException(Reason.STALE, "no " + quantities.get(i).name() + " from " + device.get().address() + " "
                + latest.describeAge(i, now) + ", link "
                + state.name().toLowerCase(java.util.Locale.ROOT) + cause);
    }

    /** Drops a link that is up but has gone quiet, so that it is made again. */
    @Override
    public void reinitialise() {
        if (state == BleLinkState.CONNECTED) {
            execute(() -> {
                String path = devicePath;
                if (state == BleLinkState.CONNECTED && path != null) {
                    log.debug("BLE ESS {}: re-initialising the link", config.match());
                    central.callQuietly(path, Device1.class, "Disconnect");
                    lost("re-initialised");
                }
            });
        }
    }

    /** Where the link is. */
    public BleLinkState state() {
        return state;
    }

    /** Connections made, the first included. */
    public long connections() {
        return connections.get();
    }

    /** Value notifications received. */
    public long notifications() {
        return notifications.get();
    }

    // ---- BleCentral.Sensor

    @Override
    public DeviceMatch match() {
        return config.match();
    }

    @Override
    public boolean wantsEveryAdvertisement() {
        return false;
    }

    @Override
    public void start() {
        state = BleLinkState.SEARCHING;
        reconnector.trigger();
    }

    @Override
    public void deviceChanged(BleDevice device, Set<String> changed) {
        BleLinkState s = state;
        if (device.path().equals(devicePath) && s == BleLinkState.CONNECTED && changed.contains("Connected") && !device.connected()) {
            execute(() -> lost("BlueZ reports the connection gone"));
        } else if ((s == BleLinkState.SEARCHING || s == BleLinkState.RECONNECTING) && config.match().matches(device) && device.present()) {
            // queued behind an attempt that may be running now (and found nothing): the trigger then
            // starts the next one; it is a no-op while an attempt waits out its backoff
            execute(() -> {
                if (state == BleLinkState.SEARCHING || state == BleLinkState.RECONNECTING) {
                    reconnector.trigger();
                }
            });
        }
    }

    @Override
    public void deviceRemoved(BleDevice device) {
        if (device.path().equals(devicePath) && state == BleLinkState.CONNECTED) {
            execute(() -> lost("BlueZ removed the device"));
        }
    }

    /** Runs {@code task} on the fl-ble thread, unless the central is closing. */
    private void execute(Runnable task) {
        if (state == BleLinkState.CLOSED) {
            return;
        }
        try {
            central.scheduler().execute(task);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // the central is closing; nothing left to do
        }
    }

    @Override
    public void halt() {
        state = BleLinkState.CLOSED;
        reconnector.close();
    }

    @Override
    public void release() {
        synchronized (subscribed) {
            for (String path : subscribed) {
                central.removeValueListener(path);
                central.callQuietly(path, GattCharacteristic1.class, "StopNotify");
            }
            subscribed.clear();
        }
        String path = connectRequested;
        if (path != null) {
            central.callQuietly(path, Device1.class, "Disconnect");
            connectRequested = null;
        }
    }

    // ---- the link (fl-ble thread)

    private CompletableFuture<Void> attempt() {
        if (state == BleLinkState.CLOSED || state == BleLinkState.CONNECTED) {
            return CompletableFuture.completedFuture(null);
        }
        Optional<BleDevice> device = central.find(config.match());
        if (device.isEmpty()) {
            // nothing to try yet: the next sighting of a matching device triggers the next attempt
            state = connections.get() == 0 ? BleLinkState.SEARCHING : BleLinkState.RECONNECTING;
            return CompletableFuture.completedFuture(null);
        }
        try {
            connect(device.get());
            return CompletableFuture.completedFuture(null);
        } catch (HalException e) {
            lastError = e;
            if (state != BleLinkState.CLOSED) {
                state = connections.get() == 0 ? BleLinkState.SEARCHING : BleLinkState.RECONNECTING;
                unsubscribe();
            }
            log.debug("BLE ESS {}: {}", config.match(), e.getMessage());
            return CompletableFuture.failedFuture(e);
        }
    }

    private void connect(BleDevice device) {
        devicePath = device.path();
        state = BleLinkState.CONNECTING;
        if (!device.connected()) {
            connectRequested = device.path();
            central.call(device.path(), Device1.class, "Connect", config.connectTimeout());
        }
        central.await(device.path(), d -> d.connected() && d.servicesResolved(), config.connectTimeout(),
                "resolved GATT services of " + device.address());
        Map<EssCharacteristic, Characteristic> found = characteristics(device);
        for (var e : found.entrySet()) {
            int index = config.characteristics().indexOf(e.getKey());
            central.onValue(e.getValue().path(), value -> {
                notifications.incrementAndGet();
                update(index, e.getKey(), value);
            });
            synchronized (subscribed) {
                subscribed.add(e.getValue().path());
            }
            byte[] value = central.call(e.getValue().path(), GattCharacteristic1.class, "ReadValue", central.callTimeout(),
                    new HashMap<String, Variant<?>>());
            update(index, e.getKey(), value);
            if (e.getValue().notifies()) {
                central.call(e.getValue().path(), GattCharacteristic1.class, "StartNotify", central.callTimeout());
            } else {
                long every = config.pollInterval().toNanos();
                synchronized (polls) {
                    polls.add(central.scheduler().scheduleAtFixedRate(() -> poll(index, e.getKey(), e.getValue().path()),
                            every, every, TimeUnit.NANOSECONDS));
                }
            }
        }
        connections.incrementAndGet();
        lastError = null;
        state = BleLinkState.CONNECTED;
        log.info("BLE ESS sensor {} connected ({})", device.address(), device.name().orElse("no name"));
        if (central.device(device.path()).map(d -> !d.connected()).orElse(true)) {
            lost("the connection dropped while it was being set up");
        }
    }

    private record Characteristic(String path, boolean notifies) {
    }

    /** The configured characteristics in the device's Environmental Sensing service. */
    private Map<EssCharacteristic, Characteristic> characteristics(BleDevice device) {
        var objects = central.managedObjects();
        Optional<String> service = objects.entrySet().stream()
                .filter(o -> o.getKey().startsWith(device.path() + "/"))
                .filter(o -> o.getValue().containsKey(BleCentral.GATT_SERVICE1))
                .filter(o -> BluezValues.string(o.getValue().get(BleCentral.GATT_SERVICE1).get("UUID"))
                        .map(u -> u.equalsIgnoreCase(BleUuid.ENVIRONMENTAL_SENSING)).orElse(false))
                .map(Map.Entry::getKey).sorted().findFirst();
        if (service.isEmpty()) {
            throw new HalException(Reason.UNSUPPORTED, device.address() + " has no Environmental Sensing service (0x181A)");
        }
        Map<EssCharacteristic, Characteristic> found = new java.util.EnumMap<>(EssCharacteristic.class);
        objects.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(o -> {
            Map<String, Variant<?>> props = o.getValue().get(BleCentral.GATT_CHARACTERISTIC1);
            if (props == null || !BluezValues.string(props.get("Service")).map(service.get()::equals).orElse(false)) {
                return;
            }
            String uuid = BluezValues.string(props.get("UUID")).orElse("");
            List<String> flags = BluezValues.strings(props.get("Flags"));
            for (EssCharacteristic c : config.characteristics()) {
                if (c.uuid().equalsIgnoreCase(uuid) && !found.containsKey(c)) {
                    found.put(c, new Characteristic(o.getKey(), flags.contains("notify") || flags.contains("indicate")));
                }
            }
        });
        for (EssCharacteristic c : config.characteristics()) {
            if (!found.containsKey(c)) {
                throw new HalException(Reason.UNSUPPORTED, device.address() + " has no " + c.quantity()
                        + " characteristic (" + c.uuid() + ") in its Environmental Sensing service");
            }
        }
        return found;
    }

    private void poll(int index, EssCharacteristic c, String path) {
        if (state != BleLinkState.CONNECTED) {
            return;
        }
        try {
            update(index, c, central.call(path, GattCharacteristic1.class, "ReadValue", central.callTimeout(),
                    new HashMap<String, Variant<?>>()));
        } catch (HalException e) {
            lastError = e;
            log.debug("BLE ESS {}: polling {} failed: {}", config.match(), c.quantity(), e.getMessage());
        }
    }

    private void update(int index, EssCharacteristic c, byte[] value) {
        double v;
        try {
            v = c.decode(value);
        } catch (HalException e) {
            lastError = e;
            log.debug("BLE ESS {}: {}", config.match(), e.getMessage());
            return;
        }
        latest.set(index, v, central.clock().instant());
    }

    private void lost(String why) {
        if (state != BleLinkState.CONNECTED) {
            return;
        }
        state = BleLinkState.RECONNECTING;
        unsubscribe();
        log.info("BLE ESS sensor {}: {}; reconnecting", central.device(devicePath).map(BleDevice::address).orElse(devicePath), why);
        reconnector.trigger();
    }

    private void unsubscribe() {
        synchronized (polls) {
            polls.forEach(p -> p.cancel(false));
            polls.clear();
        }
        synchronized (subscribed) {
            subscribed.forEach(central::removeValueListener);
            subscribed.clear();
        }
    }
}

package dev.fieldline.agent.hal.ble;

import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.HalException.Reason;
import dev.fieldline.agent.internal.NamedThreads;
import dev.fieldline.agent.uplink.Reconnector;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.bluez.Adapter1;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.CallbackHandler;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.interfaces.ObjectManager;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.matchrules.DBusMatchRuleBuilder;
import org.freedesktop.dbus.types.Variant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent as a BLE central on one BlueZ adapter: one D-Bus connection, discovery with the merged
 * filter of its sensors, the table of devices BlueZ reports, and the sensors' links.
 *
 * <p>It talks to BlueZ through bluez-dbus's {@code org.bluez} interface declarations on its own
 * connection, and follows the device table through the standard ObjectManager and Properties
 * signals. It does not use bluez-dbus's {@code DeviceManager}: that is a static singleton (one per
 * JVM, so tests and two adapters would share it), it finds devices by introspection after a
 * {@code Thread.sleep} scan instead of following InterfacesAdded, and its wrappers turn D-Bus errors
 * into {@code null}/{@code false}, which would hide why a sensor failed.
 *
 * <p>Threads: dbus-java's (one signal thread, so signals are handled in order) and
 * {@code fl-ble-<adapter>}, which runs connection attempts, discovery restarts and polls. Close
 * stops notifications, disconnects what this central connected, stops its discovery and ends both.
 */
public final class BleCentral implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BleCentral.class);

    static final String BLUEZ = "org.bluez";
    static final String ADAPTER1 = "org.bluez.Adapter1";
    static final String DEVICE1 = "org.bluez.Device1";
    static final String GATT_SERVICE1 = "org.bluez.GattService1";
    static final String GATT_CHARACTERISTIC1 = "org.bluez.GattCharacteristic1";
    private static final Duration CLOSE_CALL_TIMEOUT = Duration.ofSeconds(2);

    /** What a sensor hears of the device table, on the D-Bus signal thread. */
    interface DeviceListener {
        /** {@code device} appeared or changed; {@code changed} names the properties that came in. */
        void deviceChanged(BleDevice device, Set<String> changed);

        /** BlueZ dropped {@code device} (out of range for a while, or removed). */
        void deviceRemoved(BleDevice device);
    }

    /** A sensor of this central. */
    interface Sensor extends DeviceListener {
        DeviceMatch match();

        /** Whether it needs every advertisement, repeated ones included (BlueZ's DuplicateData). */
        boolean wantsEveryAdvertisement();

        void start();

        /** Stops scheduling work (no D-Bus calls; the fl-ble thread may still be in an attempt). */
        void halt();

        /** Releases what the link holds in BlueZ (notifications, the connection); after the fl-ble thread ended. */
        void release();
    }

    private final BleCentralConfig config;
    private final Clock clock;
    private final DBusConnection bus;
    private final ScheduledExecutorService scheduler;
    private final Reconnector discovery;
    private final Map<String, BleDevice> devices = new ConcurrentHashMap<>();
    private final Map<String, Consumer<byte[]>> valueListeners = new ConcurrentHashMap<>();
    private final List<Sensor> sensors = new CopyOnWriteArrayList<>();
    private final List<DeviceListener> waiters = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> signalHandlers = new ArrayList<>();
    private volatile boolean started;
    private volatile boolean closed;
    private volatile boolean discovering;
    private int discoveryFailures;

    private BleCentral(BleCentralConfig config, Clock clock, DBusConnection bus) {
        this.config = config;
        this.clock = clock;
        this.bus = bus;
        this.scheduler = NamedThreads.scheduler("fl-ble-" + config.adapter());
        this.discovery = new Reconnector("BLE discovery on " + config.adapter(), config.discoveryRetry(), scheduler,
                this::discover, new Random());
    }

    /**
     * Connects to D-Bus and checks that BlueZ has the adapter and that it is powered.
     *
     * @throws HalException ABSENT when D-Bus, BlueZ or the adapter is not there, IO when the adapter
     *     is powered off; the message says which and what to do
     */
    public static BleCentral open(BleCentralConfig config) {
        return open(config, Clock.systemUTC());
    }

    static BleCentral open(BleCentralConfig config, Clock clock) {
        DBusConnection bus;
        try {
            DBusConnectionBuilder builder = config.busAddress().isPresent()
                    ? DBusConnectionBuilder.forAddress(config.busAddress().get())
                    : DBusConnectionBuilder.forSystemBus();
            // the transport retries a missing socket every 500 ms for this long
            int connectMillis = (int) Math.min(Integer.MAX_VALUE, config.callTimeout().toMillis());
            bus = builder.withShared(false).withImportWeakReferences(true)
                    .receivingThreadConfig().withSignalThreadCount(1).connectionConfig()
                    .transportConfig().withTimeout(connectMillis).back()
                    .build();
        } catch (DBusException | RuntimeException e) {
            throw new HalException(Reason.ABSENT, "cannot connect to D-Bus " + busName(config) + " for BLE: " + e.getMessage(), e);
        }
        BleCentral central = new BleCentral(config, clock, bus);
        try {
            central.init();
            return central;
        } catch (RuntimeException e) {
            central.close();
            throw e;
        }
    }

    private static String busName(BleCentralConfig config) {
        return config.busAddress().map(a -> "at " + a).orElse("(system bus)");
    }

    private void init() {
        Map<String, Variant<?>> adapter;
        try {
            adapter = call(config.adapterPath(), Properties.class, "GetAll", config.callTimeout(), ADAPTER1);
        } catch (HalException e) {
            throw new HalException(Reason.ABSENT, "BlueZ has no adapter " + config.adapter() + " on D-Bus " + busName(config)
                    + " (" + e.getMessage() + "); is bluetoothd running and the adapter present (bluetoothctl list)?", e);
        }
        if (!BluezValues.bool(adapter.get("Powered"))) {
            throw new HalException(Reason.IO, "Bluetooth adapter " + config.adapter() + " is powered off; power it on "
                    + "(bluetoothctl power on) or name another adapter");
        }
        try {
            signalHandlers.add(bus.addSigHandler(DBusMatchRuleBuilder.create().withType(ObjectManager.InterfacesAdded.class)
                    .withPath("/").build(), (ObjectManager.InterfacesAdded s) -> guarded(() -> interfacesAdded(s))));
            signalHandlers.add(bus.addSigHandler(DBusMatchRuleBuilder.create().withType(ObjectManager.InterfacesRemoved.class)
                    .withPath("/").build(), (ObjectManager.InterfacesRemoved s) -> guarded(() -> interfacesRemoved(s))));
            signalHandlers.add(bus.addSigHandler(DBusMatchRuleBuilder.create().withType(Properties.PropertiesChanged.class)
                    .withPathNamespace(config.adapterPath()).build(),
                    (Properties.PropertiesChanged s) -> guarded(() -> propertiesChanged(s))));
        } catch (DBusException e) {
            throw new HalException(Reason.IO, "cannot subscribe to BlueZ's signals: " + e.getMessage(), e);
        }
        managedObjects().forEach((path, interfaces) -> {
            Map<String, Variant<?>> props = interfaces.get(DEVICE1);
            if (props != null && underAdapter(path)) {
                devices.put(path, BluezValues.device(path, Optional.empty(), props, List.of(), clock.instant()));
            }
        });
        log.debug("BLE central on {}: BlueZ knows {} devices", config.adapter(), devices.size());
    }

    /** An ESS (GATT) sensor; it starts with the central, or at once when the central runs. */
    public EssSensor essSensor(EssSensorConfig sensorConfig) {
        return add(new EssSensor(this, sensorConfig));
    }

    /** A BTHome (advertising) sensor; it starts with the central, or at once when the central runs. */
    public BthomeSensor bthomeSensor(BthomeSensorConfig sensorConfig) {
        return add(new BthomeSensor(this, sensorConfig));
    }

    private <S extends Sensor> S add(S sensor) {
        if (closed) {
            throw new IllegalStateException("the BLE central on " + config.adapter() + " is closed");
        }
        sensors.add(sensor);
        if (started) {
            sensor.start();
            discovery.trigger();
            devices.values().forEach(d -> sensor.deviceChanged(d, Set.of()));
        }
        return sensor;
    }

    /** Starts discovery with the sensors' merged filter, and the sensors. */
    public void start() {
        synchronized (this) {
            if (started || closed) {
                return;
            }
            started = true;
        }
        discovery.trigger();
        for (Sensor s : sensors) {
            s.start();
            devices.values().forEach(d -> s.deviceChanged(d, Set.of()));
        }
        log.info("BLE central on {} started with {} sensor(s)", config.adapter(), sensors.size());
    }

    /** The devices BlueZ reports on this adapter now. */
    public List<BleDevice> devices() {
        return List.copyOf(devices.values());
    }

    /** Whether this central's discovery session is running. */
    public boolean discovering() {
        return discovering;
    }

    public String adapter() {
        return config.adapter();
    }

    // ---- discovery

    private CompletableFuture<Void> discover() {
        if (closed) {
            return CompletableFuture.completedFuture(null);
        }
        try {
            call(config.adapterPath(), Adapter1.class, "SetDiscoveryFilter", config.callTimeout(), discoveryFilter());
            if (!discovering) {
                try {
                    call(config.adapterPath(), Adapter1.class, "StartDiscovery", config.callTimeout());
                } catch (HalException e) {
                    if (!String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("in progress")) {
                        throw e;
                    }
                }
                discovering = true;
                log.debug("BLE discovery on {} started", config.adapter());
            }
            discoveryFailures = 0;
            return CompletableFuture.completedFuture(null);
        } catch (HalException e) {
            if (discoveryFailures++ == 0) {
                log.warn("BLE discovery on {} could not start: {}; retrying with backoff", config.adapter(), e.getMessage());
            } else {
                log.debug("BLE discovery on {} could not start ({} times): {}", config.adapter(), discoveryFailures, e.getMessage());
            }
            return CompletableFuture.failedFuture(e);
        }
    }

    /** BlueZ's SetDiscoveryFilter argument: LE, and what every sensor agrees on. */
    Map<String, Variant<?>> discoveryFilter() {
        Map<String, Variant<?>> filter = new LinkedHashMap<>();
        filter.put("Transport", new Variant<>("le"));
        filter.put("DuplicateData", new Variant<>(sensors.stream().anyMatch(Sensor::wantsEveryAdvertisement)));
        if (!sensors.isEmpty() && sensors.stream().allMatch(s -> s.match().serviceUuid().isPresent())) {
            String[] uuids = sensors.stream().map(s -> s.match().serviceUuid().get()).distinct().toArray(String[]::new);
            filter.put("UUIDs", new Variant<>(uuids));
        }
        if (!sensors.isEmpty() && sensors.stream().allMatch(s -> s.match().minRssi().isPresent())) {
            int weakest = sensors.stream().mapToInt(s -> s.match().minRssi().getAsInt()).min().getAsInt();
            filter.put("RSSI", new Variant<>((short) weakest));
        }
        return filter;
    }

    // ---- signals (D-Bus signal thread)

    private void guarded(Runnable handler) {
        if (closed) {
            return;
        }
        try {
            handler.run();
        } catch (RuntimeException e) {
            log.warn("BLE central on {}: handling a BlueZ signal failed", config.adapter(), e);
        }
    }

    private void interfacesAdded(ObjectManager.InterfacesAdded s) {
        String path = s.getSignalSource().getPath();
        Map<String, Variant<?>> props = s.getInterfaces().get(DEVICE1);
        if (props == null || !underAdapter(path)) {
            return;
        }
        BleDevice d = BluezValues.device(path, Optional.ofNullable(devices.get(path)), props, List.of(), clock.instant());
        devices.put(path, d);
        log.debug("BLE device {} appeared", d);
        changed(d, props.keySet());
    }

    private void interfacesRemoved(ObjectManager.InterfacesRemoved s) {
        String path = s.getSignalSource().getPath();
        if (s.getInterfaces().contains(GATT_CHARACTERISTIC1)) {
            valueListeners.remove(path);
        }
        if (s.getInterfaces().contains(DEVICE1)) {
            BleDevice d = devices.remove(path);
            if (d != null) {
                log.debug("BLE device {} removed", d);
                sensors.forEach(sensor -> sensor.deviceRemoved(d));
                waiters.forEach(w -> w.deviceRemoved(d));
            }
        }
    }

    private void propertiesChanged(Properties.PropertiesChanged s) {
        String path = s.getPath();
        Map<String, Variant<?>> changed = s.getPropertiesChanged();
        switch (s.getInterfaceName()) {
            case DEVICE1 -> {
                BleDevice d = BluezValues.device(path, Optional.ofNullable(devices.get(path)), changed,
                        s.getPropertiesRemoved(), clock.instant());
                devices.put(path, d);
                changed(d, changed.keySet());
            }
            case GATT_CHARACTERISTIC1 -> {
                Consumer<byte[]> listener = valueListeners.get(path);
                if (listener != null && changed.containsKey("Value")) {
                    BluezValues.bytes(changed.get("Value")).ifPresent(listener);
                }
            }
            case ADAPTER1 -> {
                if (changed.containsKey("Discovering") && !BluezValues.bool(changed.get("Discovering")) && discovering) {
                    discovering = false;
                    log.info("BLE discovery on {} was stopped by BlueZ; restarting it", config.adapter());
                    discovery.trigger();
                }
            }
            default -> {
                // other interfaces under the adapter (media, battery…) are not ours
            }
        }
    }

    private void changed(BleDevice d, Set<String> properties) {
        sensors.forEach(sensor -> sensor.deviceChanged(d, properties));
        waiters.forEach(w -> w.deviceChanged(d, properties));
    }

    private boolean underAdapter(String path) {
        return path.startsWith(config.adapterPath() + "/");
    }

    // ---- for the sensors

    Clock clock() {
        return clock;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    Duration callTimeout() {
        return config.callTimeout();
    }

    Optional<BleDevice> device(String path) {
        return Optional.ofNullable(devices.get(path));
    }

    Optional<BleDevice> byAddress(String address) {
        return devices.values().stream().filter(d -> d.address().equals(address)).findFirst();
    }

    /** The matching device seen most recently. */
    Optional<BleDevice> find(DeviceMatch match) {
        return devices.values().stream().filter(BleDevice::present).filter(match::matches)
                .max(Comparator.comparing(d -> d.lastSeen().orElse(java.time.Instant.MIN)));
    }

    /**
     * Waits until the device at {@code path} satisfies {@code condition}.
     *
     * @throws HalException TIMEOUT after {@code timeout}, ABSENT when BlueZ drops the device
     */
    BleDevice await(String path, Predicate<BleDevice> condition, Duration timeout, String what) {
        CompletableFuture<BleDevice> done = new CompletableFuture<>();
        DeviceListener waiter = new DeviceListener() {
            @Override
            public void deviceChanged(BleDevice device, Set<String> changed) {
                if (device.path().equals(path) && condition.test(device)) {
                    done.complete(device);
                }
            }

            @Override
            public void deviceRemoved(BleDevice device) {
                if (device.path().equals(path)) {
                    done.completeExceptionally(new HalException(Reason.ABSENT, device.address() + " went away while waiting for " + what));
                }
            }
        };
        waiters.add(waiter);
        try {
            device(path).filter(condition).ifPresent(done::complete);
            return done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new HalException(Reason.TIMEOUT, "no " + what + " within " + timeout);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof HalException h ? h : new HalException(Reason.IO, e.getCause().toString(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HalException(Reason.IO, "interrupted waiting for " + what);
        } finally {
            waiters.remove(waiter);
        }
    }

    /** Routes the Value notifications of characteristic {@code path} to {@code listener}. */
    void onValue(String path, Consumer<byte[]> listener) {
        valueListeners.put(path, listener);
    }

    void removeValueListener(String path) {
        valueListeners.remove(path);
    }

    /** BlueZ's whole object tree (GetManagedObjects on /). */
    Map<String, Map<String, Map<String, Variant<?>>>> managedObjects() {
        Map<DBusPath, Map<String, Map<String, Variant<?>>>> raw = call("/", ObjectManager.class, "GetManagedObjects", config.callTimeout());
        Map<String, Map<String, Map<String, Variant<?>>>> out = new HashMap<>();
        raw.forEach((p, v) -> out.put(p.getPath(), v));
        return out;
    }

    /**
     * Calls {@code method} of interface {@code type} on BlueZ's object {@code path}, waiting at most
     * {@code timeout} for the answer.
     *
     * @throws HalException TIMEOUT when BlueZ does not answer in time, IO when it answers with an error
     */
    <T> T call(String path, Class<? extends DBusInterface> type, String method, Duration timeout, Object... args) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        String what = method + " on " + path;
        try {
            DBusInterface remote = bus.getRemoteObject(BLUEZ, path, type);
            bus.callWithCallback(remote, method, new CallbackHandler<T>() {
                @Override
                public void handle(T value) {
                    answer.complete(value);
                }

                @Override
                public void handleError(DBusExecutionException error) {
                    answer.completeExceptionally(error);
                }
            }, args);
        } catch (DBusException | RuntimeException e) {
            throw new HalException(Reason.IO, "could not call BlueZ's " + what + ": " + e.getMessage(), e);
        }
        try {
            return answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new HalException(Reason.TIMEOUT, "BlueZ did not answer " + what + " within " + timeout);
        } catch (ExecutionException e) {
            String message = e.getCause().getMessage();
            throw new HalException(Reason.IO, "BlueZ refused " + what + ": "
                    + (message == null || message.isBlank() ? e.getCause().getClass().getSimpleName() : message), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HalException(Reason.IO, "interrupted waiting for BlueZ's answer to " + what);
        }
    }

    /** A call made while shutting down: short timeout, failures only logged. */
    void callQuietly(String path, Class<? extends DBusInterface> type, String method, Object... args) {
        try {
            call(path, type, method, CLOSE_CALL_TIMEOUT, args);
        } catch (HalException e) {
            log.debug("BLE central on {}: {} on {} at shutdown: {}", config.adapter(), method, path, e.getMessage());
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        discovery.close();
        sensors.forEach(Sensor::halt);
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("BLE central on {}: fl-ble thread still busy after 5 s", config.adapter());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Sensor s : sensors) {
            try {
                s.release();
            } catch (RuntimeException e) {
                log.debug("BLE central on {}: releasing a sensor failed", config.adapter(), e);
            }
        }
        if (discovering) {
            callQuietly(config.adapterPath(), Adapter1.class, "StopDiscovery");
            discovering = false;
        }
        for (AutoCloseable h : signalHandlers) {
            try {
                h.close();
            } catch (Exception e) {
                log.debug("BLE central on {}: removing a signal handler failed", config.adapter(), e);
            }
        }
        bus.disconnect();
        if (started) {
            log.info("BLE central on {} stopped", config.adapter());
        }
    }
}

package dev.fieldline.agent.hal.ble;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bluez.Adapter1;
import org.bluez.Device1;
import org.bluez.GattCharacteristic1;
import org.bluez.GattService1;
import org.bluez.datatypes.TwoTuple;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.FileDescriptor;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.ObjectManager;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.types.UInt16;
import org.freedesktop.dbus.types.Variant;

/**
 * Test fixture: a fake {@code org.bluez} exported with dbus-java on a real bus. It has the object
 * layout, interfaces and signals of BlueZ 5 that a central uses: an ObjectManager at {@code /}, an
 * adapter {@code /org/bluez/hci0} (Adapter1: StartDiscovery, StopDiscovery, SetDiscoveryFilter,
 * Discovering), devices that appear through InterfacesAdded while discovery runs and they are in
 * range (Address, Name, RSSI, UUIDs, ServiceData, ManufacturerData), Connect/Disconnect with
 * Connected and ServicesResolved, and GATT services and characteristics exported on connection
 * (ReadValue, StartNotify/StopNotify, Value notifications through PropertiesChanged) and removed
 * on disconnection, as BlueZ does for an unpaired device.
 *
 * <p>Errors go out under dbus-java's names for the exception classes here, not BlueZ's
 * {@code org.bluez.Error.*}; the central does not depend on error names.
 */
final class FakeBluez implements AutoCloseable {
    static final String ADAPTER_PATH = "/org/bluez/hci0";
    static final String ADAPTER_ADDRESS = "00:1A:7D:DA:71:13";

    private final DBusConnection bus;
    private final Map<String, FakeObject> exported = new ConcurrentHashMap<>();
    private final List<FakeDevice> devices = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final FakeAdapter adapter;
    private final List<CountDownLatch> hung = new ArrayList<>();

    /** A BlueZ error. */
    static final class Failed extends DBusExecutionException {
        private static final long serialVersionUID = 1L;

        Failed(String message) {
            super(message);
        }
    }

    private FakeBluez(DBusConnection bus, boolean powered) throws DBusException {
        this.bus = bus;
        bus.exportObject("/", new Root());
        adapter = new FakeAdapter(powered);
        export(adapter);
        bus.requestBusName("org.bluez");
    }

    /** Owns {@code org.bluez} on the bus at {@code address}, with a powered adapter hci0. */
    static FakeBluez start(String address) throws DBusException {
        return start(address, true);
    }

    static FakeBluez start(String address, boolean powered) throws DBusException {
        DBusConnection bus = DBusConnectionBuilder.forAddress(address).withShared(false).build();
        try {
            return new FakeBluez(bus, powered);
        } catch (DBusException | RuntimeException e) {
            bus.disconnect();
            throw e;
        }
    }

    FakeAdapter adapter() {
        return adapter;
    }

    /** A device, not yet in range. */
    FakeDevice device(String address) {
        return new FakeDevice(address);
    }

    @Override
    public void close() {
        synchronized (this) {
            hung.forEach(CountDownLatch::countDown);
        }
        bus.disconnect();
    }

    // ---- plumbing

    private void export(FakeObject o) {
        try {
            bus.exportObject(o.path, o);
        } catch (DBusException e) {
            throw new IllegalStateException(e);
        }
        exported.put(o.path, o);
        send(() -> new ObjectManager.InterfacesAdded("/", new DBusPath(o.path), o.interfaces()));
    }

    private void unexport(FakeObject o) {
        if (exported.remove(o.path) != null) {
            bus.unExportObject(o.path);
            send(() -> new ObjectManager.InterfacesRemoved("/", new DBusPath(o.path), new ArrayList<>(o.props.keySet())));
        }
    }

    private interface SignalFactory {
        org.freedesktop.dbus.messages.DBusSignal make() throws DBusException;
    }

    private void send(SignalFactory signal) {
        try {
            bus.sendMessage(signal.make());
        } catch (DBusException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Something exported with properties; changes go out as PropertiesChanged once exported. */
    private abstract class FakeObject implements Properties {
        volatile String path;
        final Map<String, Map<String, Variant<?>>> props = new ConcurrentHashMap<>();

        FakeObject(String path) {
            this.path = path;
        }

        @Override
        public String getObjectPath() {
            return path;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <A> A Get(String iface, String name) {
            Variant<?> v = props.getOrDefault(iface, Map.of()).get(name);
            if (v == null) {
                throw new Failed("no property " + name + " on " + iface);
            }
            return (A) v.getValue();
        }

        @Override
        public <A> void Set(String iface, String name, A value) {
            set(iface, Map.of(name, new Variant<>(value)));
        }

        @Override
        public Map<String, Variant<?>> GetAll(String iface) {
            Map<String, Variant<?>> p = props.get(iface);
            if (p == null) {
                throw new Failed("no interface " + iface + " on " + path);
            }
            return new HashMap<>(p);
        }

        Map<String, Map<String, Variant<?>>> interfaces() {
            Map<String, Map<String, Variant<?>>> out = new LinkedHashMap<>();
            props.forEach((k, v) -> out.put(k, new LinkedHashMap<>(v)));
            return out;
        }

        void set(String iface, Map<String, Variant<?>> changes) {
            props.computeIfAbsent(iface, k -> new ConcurrentHashMap<>()).putAll(changes);
            if (exported.containsKey(path)) {
                send(() -> new Properties.PropertiesChanged(path, iface, new LinkedHashMap<>(changes), List.of()));
            }
        }
    }

    private final class Root implements ObjectManager {
        @Override
        public String getObjectPath() {
            return "/";
        }

        @Override
        public Map<DBusPath, Map<String, Map<String, Variant<?>>>> GetManagedObjects() {
            Map<DBusPath, Map<String, Map<String, Variant<?>>>> out = new LinkedHashMap<>();
            exported.values().forEach(o -> out.put(new DBusPath(o.path), o.interfaces()));
            return out;
        }
    }

    /** hci0. */
    final class FakeAdapter extends FakeObject implements Adapter1 {
        private final AtomicInteger starts = new AtomicInteger();
        private volatile Map<String, Variant<?>> filter = Map.of();

        FakeAdapter(boolean powered) {
            super(ADAPTER_PATH);
            Map<String, Variant<?>> p = new ConcurrentHashMap<>();
            p.put("Address", new Variant<>(ADAPTER_ADDRESS));
            p.put("Name", new Variant<>("fake-bluez"));
            p.put("Powered", new Variant<>(powered));
            p.put("Discovering", new Variant<>(false));
            props.put(BleCentral.ADAPTER1, p);
        }

        boolean discovering() {
            return (Boolean) props.get(BleCentral.ADAPTER1).get("Discovering").getValue();
        }

        /** StartDiscovery calls so far. */
        int starts() {
            return starts.get();
        }

        /** The last SetDiscoveryFilter argument, values unwrapped. */
        Map<String, Object> filter() {
            Map<String, Object> out = new HashMap<>();
            filter.forEach((k, v) -> out.put(k, v.getValue()));
            return out;
        }

        /** BlueZ ends discovery by itself (adapter reset, power cycle). */
        void stopDiscoveryFromBlueZ() {
            set(BleCentral.ADAPTER1, Map.of("Discovering", new Variant<>(false)));
        }

        @Override
        public void StartDiscovery() {
            synchronized (FakeBluez.this) {
                if (!(Boolean) props.get(BleCentral.ADAPTER1).get("Powered").getValue()) {
                    throw new Failed("Resource Not Ready");
                }
                starts.incrementAndGet();
                set(BleCentral.ADAPTER1, Map.of("Discovering", new Variant<>(true)));
                for (FakeDevice d : devices) {
                    d.publishIfVisible();
                }
            }
        }

        @Override
        public void StopDiscovery() {
            set(BleCentral.ADAPTER1, Map.of("Discovering", new Variant<>(false)));
        }

        @Override
        public void RemoveDevice(DBusPath device) {
            FakeObject o = exported.get(device.getPath());
            if (o != null) {
                unexport(o);
            }
        }

        @Override
        public void SetDiscoveryFilter(Map<String, Variant<?>> f) {
            filter = Map.copyOf(f);
        }

        @Override
        public String[] GetDiscoveryFilters() {
            return new String[] {"UUIDs", "RSSI", "Pathloss", "Transport", "DuplicateData", "Discoverable", "Pattern"};
        }

        @Override
        public DBusPath ConnectDevice(Map<String, Variant<?>> properties) {
            throw new Failed("ConnectDevice is not faked");
        }
    }

    /** How a device answers Connect. */
    enum ConnectAnswer { ACCEPT, REFUSE, HANG }

    /** A BLE peripheral. */
    final class FakeDevice extends FakeObject implements Device1 {
        private final List<FakeObject> gatt = new ArrayList<>();
        private final Map<EssCharacteristic, FakeCharacteristic> ess = new LinkedHashMap<>();
        private final AtomicInteger connects = new AtomicInteger();
        private volatile boolean inRange;
        private volatile ConnectAnswer answer = ConnectAnswer.ACCEPT;
        private volatile boolean essService;

        FakeDevice(String address) {
            super(ADAPTER_PATH + "/dev_" + address.replace(':', '_'));
            Map<String, Variant<?>> p = new ConcurrentHashMap<>();
            p.put("Address", new Variant<>(address));
            p.put("AddressType", new Variant<>("public"));
            p.put("Adapter", new Variant<>(new DBusPath(ADAPTER_PATH)));
            p.put("Paired", new Variant<>(false));
            p.put("Trusted", new Variant<>(false));
            p.put("Connected", new Variant<>(false));
            p.put("ServicesResolved", new Variant<>(false));
            p.put("RSSI", new Variant<>((short) -60));
            props.put(BleCentral.DEVICE1, p);
            devices.add(this);
        }

        FakeDevice name(String name) {
            props.get(BleCentral.DEVICE1).put("Name", new Variant<>(name));
            props.get(BleCentral.DEVICE1).put("Alias", new Variant<>(name));
            return this;
        }

        FakeDevice rssi(int dBm) {
            props.get(BleCentral.DEVICE1).put("RSSI", new Variant<>((short) dBm));
            return this;
        }

        FakeDevice uuids(String... uuids) {
            props.get(BleCentral.DEVICE1).put("UUIDs", new Variant<>(uuids));
            return this;
        }

        FakeDevice manufacturerData(int company, byte[] data) {
            Map<UInt16, Variant<?>> m = new HashMap<>();
            m.put(new UInt16(company), new Variant<>(data));
            props.get(BleCentral.DEVICE1).put("ManufacturerData", new Variant<>(m, "a{qv}"));
            return this;
        }

        /** An Environmental Sensing service with these characteristics; {@code notify} says whether they can notify. */
        FakeDevice ess(boolean notify, EssCharacteristic... characteristics) {
            essService = true;
            for (EssCharacteristic c : characteristics) {
                ess.put(c, new FakeCharacteristic(c.uuid(), notify));
            }
            return this;
        }

        FakeDevice answerConnect(ConnectAnswer a) {
            answer = a;
            return this;
        }

        /** The device advertises: it appears (InterfacesAdded) once discovery runs. */
        FakeDevice inRange() {
            inRange = true;
            publishIfVisible();
            return this;
        }

        void publishIfVisible() {
            synchronized (FakeBluez.this) {
                if (inRange && adapter.discovering() && !exported.containsKey(path)) {
                    export(this);
                }
            }
        }

        /** One advertisement carrying BTHome service data (and an RSSI). */
        void advertise(byte[] bthome) {
            Map<String, Variant<?>> sd = new HashMap<>();
            sd.put(BleUuid.BTHOME, new Variant<>(bthome));
            Map<String, Variant<?>> changes = new LinkedHashMap<>();
            changes.put("RSSI", new Variant<>((short) -61));
            changes.put("ServiceData", new Variant<>(sd, "a{sv}"));
            if (exported.containsKey(path)) {
                set(BleCentral.DEVICE1, changes);
            } else {
                props.get(BleCentral.DEVICE1).putAll(changes);
            }
        }

        /** The device stops advertising; a connection drops. BlueZ keeps the object for a while. */
        void outOfRange() {
            inRange = false;
            dropConnection();
        }

        /** BlueZ removes the device (it was out of range long enough). */
        void forget() {
            synchronized (FakeBluez.this) {
                dropConnection();
                unexport(this);
            }
        }

        /** The link is lost (supervision timeout): Connected and ServicesResolved go false, GATT goes away. */
        void dropConnection() {
            synchronized (FakeBluez.this) {
                if (!connected()) {
                    return;
                }
                Map<String, Variant<?>> changes = new LinkedHashMap<>();
                changes.put("ServicesResolved", new Variant<>(false));
                changes.put("Connected", new Variant<>(false));
                set(BleCentral.DEVICE1, changes);
                for (int i = gatt.size() - 1; i >= 0; i--) {
                    unexport(gatt.get(i));
                }
                gatt.clear();
                ess.values().forEach(c -> c.notifying = false);
            }
        }

        boolean connected() {
            return (Boolean) props.get(BleCentral.DEVICE1).get("Connected").getValue();
        }

        int connects() {
            return connects.get();
        }

        FakeCharacteristic characteristic(EssCharacteristic c) {
            return ess.get(c);
        }

        @Override
        public void Connect() {
            CountDownLatch latch = null;
            synchronized (FakeBluez.this) {
                if (answer == ConnectAnswer.HANG) {
                    latch = new CountDownLatch(1);
                    hung.add(latch);
                } else if (answer == ConnectAnswer.REFUSE || !inRange) {
                    throw new Failed("le-connection-abort-by-local");
                } else if (!connected()) {
                    connects.incrementAndGet();
                    set(BleCentral.DEVICE1, Map.of("Connected", new Variant<>(true)));
                    if (essService) {
                        String service = path + "/service0010";
                        FakeService s = new FakeService(service, BleUuid.ENVIRONMENTAL_SENSING, path);
                        gatt.add(s);
                        export(s);
                        int handle = 0x11;
                        for (FakeCharacteristic c : ess.values()) {
                            c.attach(String.format("%s/char%04x", service, handle), service);
                            handle += 2;
                            gatt.add(c);
                            export(c);
                        }
                    }
                    set(BleCentral.DEVICE1, Map.of("ServicesResolved", new Variant<>(true)));
                }
            }
            if (latch != null) {
                try {
                    latch.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new Failed("le-connection-abort-by-local");
            }
        }

        @Override
        public void Disconnect() {
            dropConnection();
        }

        @Override
        public void ConnectProfile(String uuid) {
            throw new Failed("not faked");
        }

        @Override
        public void DisconnectProfile(String uuid) {
            throw new Failed("not faked");
        }

        @Override
        public void Pair() {
            throw new Failed("not faked");
        }

        @Override
        public void CancelPairing() {
            throw new Failed("not faked");
        }
    }

    private final class FakeService extends FakeObject implements GattService1 {
        FakeService(String path, String uuid, String device) {
            super(path);
            Map<String, Variant<?>> p = new ConcurrentHashMap<>();
            p.put("UUID", new Variant<>(uuid));
            p.put("Primary", new Variant<>(true));
            p.put("Device", new Variant<>(new DBusPath(device)));
            props.put(BleCentral.GATT_SERVICE1, p);
        }
    }

    /** A characteristic; its path is set when the device connects. */
    final class FakeCharacteristic extends FakeObject implements GattCharacteristic1 {
        private final String uuid;
        private final boolean canNotify;
        private final AtomicInteger reads = new AtomicInteger();
        private volatile byte[] value = new byte[0];
        private volatile boolean notifying;

        FakeCharacteristic(String uuid, boolean canNotify) {
            super("/unattached/" + uuid.substring(4, 8));
            this.uuid = uuid;
            this.canNotify = canNotify;
        }

        void attach(String newPath, String service) {
            path = newPath;
            props.clear();
            Map<String, Variant<?>> p = new ConcurrentHashMap<>();
            p.put("UUID", new Variant<>(uuid));
            p.put("Service", new Variant<>(new DBusPath(service)));
            p.put("Flags", new Variant<>(canNotify ? new String[] {"read", "notify"} : new String[] {"read"}));
            p.put("Value", new Variant<>(value));
            p.put("Notifying", new Variant<>(false));
            props.put(BleCentral.GATT_CHARACTERISTIC1, p);
        }

        /** The value a read returns from now on. */
        FakeCharacteristic value(byte[] v) {
            value = v.clone();
            return this;
        }

        /** A new value, notified when subscribed. */
        void notifyValue(byte[] v) {
            value = v.clone();
            if (notifying) {
                set(BleCentral.GATT_CHARACTERISTIC1, Map.of("Value", new Variant<>(v.clone())));
            }
        }

        boolean notifying() {
            return notifying;
        }

        int reads() {
            return reads.get();
        }

        @Override
        public byte[] ReadValue(Map<String, Variant<?>> options) {
            reads.incrementAndGet();
            return value.clone();
        }

        @Override
        public void WriteValue(byte[] v, Map<String, Variant<?>> options) {
            throw new Failed("Write not permitted");
        }

        @Override
        public TwoTuple<FileDescriptor, UInt16> AcquireWrite(Map<String, Variant<?>> options) {
            throw new Failed("not faked");
        }

        @Override
        public TwoTuple<FileDescriptor, UInt16> AcquireNotify(Map<String, Variant<?>> options) {
            throw new Failed("not faked");
        }

        @Override
        public void StartNotify() {
            if (!canNotify) {
                throw new Failed("Operation is not supported");
            }
            notifying = true;
            set(BleCentral.GATT_CHARACTERISTIC1, Map.of("Notifying", new Variant<>(true)));
        }

        @Override
        public void StopNotify() {
            notifying = false;
            set(BleCentral.GATT_CHARACTERISTIC1, Map.of("Notifying", new Variant<>(false)));
        }

        @Override
        public void Confirm() {
        }
    }
}

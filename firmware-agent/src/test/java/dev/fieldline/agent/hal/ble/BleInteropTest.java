package dev.fieldline.agent.hal.ble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.hypfvieh.bluetooth.DeviceManager;
import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.HalException.Reason;
import dev.fieldline.agent.hal.ble.BthomeException.Problem;
import dev.fieldline.agent.hal.ble.FakeBluez.ConnectAnswer;
import dev.fieldline.agent.hal.ble.FakeBluez.FakeDevice;
import dev.fieldline.agent.uplink.ReconnectPolicy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The BLE central against a fake {@code org.bluez} on a real D-Bus daemon: discovery and its
 * filter, connecting, reading, notifications, polling, disconnection and reconnection, devices that
 * go away (STALE, then ABSENT), BTHome advertisements, and a clean shutdown that leaks no process,
 * thread or static state.
 */
@Tag("interop")
class BleInteropTest {
    private static final String ESS_ADDRESS = "C0:FF:EE:00:00:01";
    private static final String BTHOME_ADDRESS = "54:48:E6:8F:80:A5";
    private static final ReconnectPolicy FAST = new ReconnectPolicy(Duration.ofMillis(50), Duration.ofMillis(200), 0);
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    /**
     * The central's clock, which only the test moves. A value's age (and so STALE) is decided by it,
     * not by how long this machine takes to deliver a signal or to poll an await: on a loaded machine
     * a real 300 ms staleAfter can run out before the test first reads the fresh value.
     */
    private final ManualClock clock = new ManualClock();

    private Set<String> threadsBefore;
    private DbusDaemon daemon;
    private FakeBluez bluez;
    private BleCentral central;

    @BeforeEach
    void startBus() throws Exception {
        threadsBefore = busThreads();
        daemon = DbusDaemon.start(dir);
        bluez = FakeBluez.start(daemon.address());
    }

    @AfterEach
    void stopAndCheckNothingLeaks() {
        if (central != null) {
            central.close();
        }
        bluez.close();
        daemon.close();
        if (daemon.real()) {
            assertThat(daemon.processHandle().isAlive()).as("dbus-daemon process").isFalse();
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(busThreads()).isSubsetOf(threadsBefore));
        assertThatThrownBy(DeviceManager::getInstance).as("bluez-dbus's static DeviceManager is never created")
                .isInstanceOf(IllegalStateException.class);
    }

    private static Set<String> busThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("fl-ble") || n.contains("DBus")).collect(Collectors.toSet());
    }

    private BleCentral open() {
        central = BleCentral.open(BleCentralConfig.of("hci0").withBusAddress(daemon.address()).withCallTimeout(Duration.ofSeconds(5)),
                clock);
        return central;
    }

    /** A clock that stands still until {@link #advance} moves it. */
    private static final class ManualClock extends Clock {
        private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the BLE central keeps UTC");
        }
    }

    private static byte[] hex(String h) {
        return HexFormat.of().parseHex(h);
    }

    private FakeDevice essDevice(boolean notify, EssCharacteristic... which) {
        FakeDevice d = bluez.device(ESS_ADDRESS).name("ESS-Kitchen").uuids(BleUuid.ENVIRONMENTAL_SENSING).ess(notify, which);
        for (EssCharacteristic c : which) {
            d.characteristic(c).value(switch (c) {
                case TEMPERATURE -> hex("c409"); // 25.00 °C
                case HUMIDITY -> hex("bf13"); // 50.55 %
                case PRESSURE -> hex("02760f00"); // 101325.0 Pa
            });
        }
        return d;
    }

    private EssSensorConfig essConfig() {
        return EssSensorConfig.of(DeviceMatch.address(ESS_ADDRESS)).withReconnect(FAST).withConnectTimeout(Duration.ofSeconds(5));
    }

    /** Reads a driver into a fresh array. */
    private interface SensorDriverReader {
        double[] read();
    }

    private static SensorDriverReader reader(dev.fieldline.agent.driver.SensorDriver driver) {
        return () -> {
            double[] v = new double[driver.quantities().size()];
            driver.read(v);
            return v;
        };
    }

    /**
     * Waits for a pushed sensor's first reading. Until its advertisement has come through discovery,
     * a read fails with ABSENT (not seen yet) or STALE (seen, no value yet): Awaitility retries only
     * AssertionErrors, so without this the first poll on a slow machine ends the wait at once.
     */
    private static void awaitFirstReading(dev.fieldline.agent.driver.SensorDriver driver, double... expected) {
        await().atMost(WAIT)
                .ignoreExceptionsMatching(e -> e instanceof HalException h && (h.reason() == Reason.ABSENT || h.reason() == Reason.STALE))
                .untilAsserted(() -> assertThat(reader(driver).read()).containsExactly(expected));
    }

    private static void assertFails(dev.fieldline.agent.driver.SensorDriver driver, Reason reason, String message) {
        assertThatThrownBy(() -> driver.read(new double[driver.quantities().size()])).isInstanceOf(HalException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((HalException) e).reason()).isEqualTo(reason));
    }

    // ---- discovery

    @Test
    void discoveryRunsWithTheMergedFilterAndDevicesAppearWithTheirAdvertisements() {
        BleCentral c = open();
        c.essSensor(essConfig());
        c.bthomeSensor(BthomeSensorConfig.of(DeviceMatch.namePrefix("SBHT")));
        c.start();

        await().atMost(WAIT).until(() -> bluez.adapter().discovering() && c.discovering());
        assertThat(bluez.adapter().filter()).containsEntry("Transport", "le").containsEntry("DuplicateData", true)
                .doesNotContainKeys("UUIDs", "RSSI");

        bluez.device("AA:BB:CC:00:00:09").name("Other").rssi(-71).manufacturerData(0x0499, hex("0102")).inRange();
        await().atMost(WAIT).until(() -> c.devices().size() == 1);
        BleDevice d = c.devices().get(0);
        assertThat(d.address()).isEqualTo("AA:BB:CC:00:00:09");
        assertThat(d.name()).hasValue("Other");
        assertThat(d.rssi()).hasValue(-71);
        assertThat(d.manufacturerData()).containsKey(0x0499);
        assertThat(d.manufacturerData().get(0x0499)).containsExactly(1, 2);
        assertThat(d.present()).isTrue();
    }

    @Test
    void whenEverySensorNamesAServiceAndASignalFloorTheFilterCarriesThem() {
        BleCentral c = open();
        c.essSensor(essConfig().withConnectTimeout(Duration.ofSeconds(1)));
        c.essSensor(EssSensorConfig.of(DeviceMatch.service("181a").withMinRssi(-80)));
        c.bthomeSensor(BthomeSensorConfig.of(DeviceMatch.address(BTHOME_ADDRESS).withServiceUuid("fcd2").withMinRssi(-90)));
        // the first ESS sensor has no UUID or RSSI: nothing common yet
        c.start();
        await().atMost(WAIT).until(() -> bluez.adapter().discovering());
        assertThat(bluez.adapter().filter()).doesNotContainKeys("UUIDs", "RSSI");
        c.close();

        BleCentral d = BleCentral.open(BleCentralConfig.of("hci0").withBusAddress(daemon.address()));
        central = d;
        d.essSensor(EssSensorConfig.of(DeviceMatch.service("181a").withMinRssi(-80)));
        d.bthomeSensor(BthomeSensorConfig.of(DeviceMatch.address(BTHOME_ADDRESS).withServiceUuid("fcd2").withMinRssi(-90)));
        d.start();
        await().atMost(WAIT).untilAsserted(() -> assertThat(bluez.adapter().filter())
                .containsEntry("RSSI", (short) -90).containsKey("UUIDs"));
        assertThat(BluezValues.strings(bluez.adapter().filter().get("UUIDs")))
                .containsExactlyInAnyOrder(BleUuid.ENVIRONMENTAL_SENSING, BleUuid.BTHOME);
    }

    @Test
    void discoveryIsStartedAgainWhenBlueZStopsIt() {
        BleCentral c = open();
        c.bthomeSensor(BthomeSensorConfig.of(DeviceMatch.address(BTHOME_ADDRESS)));
        c.start();
        await().atMost(WAIT).until(() -> bluez.adapter().starts() == 1 && c.discovering());

        bluez.adapter().stopDiscoveryFromBlueZ();

        await().atMost(WAIT).until(() -> bluez.adapter().starts() == 2 && bluez.adapter().discovering() && c.discovering());
    }

    // ---- ESS over GATT

    @Test
    void essConnectsReadsAndFollowsNotifications() {
        FakeDevice device = essDevice(true, EssCharacteristic.TEMPERATURE, EssCharacteristic.HUMIDITY).inRange();
        BleCentral c = open();
        EssSensor sensor = c.essSensor(essConfig());
        assertThat(sensor.quantities()).extracting(q -> q.name() + " " + q.unit()).containsExactly("temperature Cel", "humidity %RH");
        c.start();

        await().atMost(WAIT).until(() -> sensor.state() == BleLinkState.CONNECTED);
        assertThat(reader(sensor).read()).containsExactly(25.0, 50.55);
        assertThat(device.characteristic(EssCharacteristic.TEMPERATURE).notifying()).isTrue();
        assertThat(device.characteristic(EssCharacteristic.HUMIDITY).notifying()).isTrue();

        device.characteristic(EssCharacteristic.TEMPERATURE).notifyValue(hex("2bfe")); // -4.69 °C
        device.characteristic(EssCharacteristic.HUMIDITY).notifyValue(hex("1027")); // 100.00 %

        await().atMost(WAIT).untilAsserted(() -> assertThat(reader(sensor).read()).containsExactly(-4.69, 100.0));
        assertThat(sensor.notifications()).isEqualTo(2);
        assertThat(sensor.connections()).isEqualTo(1);

        c.close();
        assertThat(device.characteristic(EssCharacteristic.TEMPERATURE).notifying()).as("StopNotify at close").isFalse();
        assertThat(device.connected()).as("Disconnect at close").isFalse();
        assertThat(bluez.adapter().discovering()).as("StopDiscovery at close").isFalse();
        assertThat(sensor.state()).isEqualTo(BleLinkState.CLOSED);
    }

    @Test
    void characteristicsThatCannotNotifyArePolled() {
        FakeDevice device = essDevice(false, EssCharacteristic.TEMPERATURE, EssCharacteristic.HUMIDITY, EssCharacteristic.PRESSURE)
                .inRange();
        BleCentral c = open();
        EssSensor sensor = c.essSensor(essConfig().withCharacteristics(List.of(EssCharacteristic.PRESSURE, EssCharacteristic.TEMPERATURE))
                .withPollInterval(Duration.ofMillis(100)));
        c.start();
        await().atMost(WAIT).until(() -> sensor.state() == BleLinkState.CONNECTED);
        assertThat(reader(sensor).read()).containsExactly(101325.0, 25.0);

        device.characteristic(EssCharacteristic.PRESSURE).value(hex("0a760f00")); // 101325.8 Pa

        await().atMost(WAIT).untilAsserted(() -> assertThat(reader(sensor).read()[0]).isEqualTo(101325.8));
        assertThat(device.characteristic(EssCharacteristic.PRESSURE).reads()).isGreaterThanOrEqualTo(2);
        assertThat(device.characteristic(EssCharacteristic.HUMIDITY).reads()).as("not configured, not read").isZero();
    }

    @Test
    void aLostLinkIsReconnectedAndNotificationsResume() {
        FakeDevice device = essDevice(true, EssCharacteristic.TEMPERATURE, EssCharacteristic.HUMIDITY).inRange();
        BleCentral c = open();
        EssSensor sensor = c.essSensor(essConfig());
        c.start();
        await().atMost(WAIT).until(() -> sensor.state() == BleLinkState.CONNECTED);

        device.dropConnection();

        await().atMost(WAIT).until(() -> device.connects() == 2 && sensor.state() == BleLinkState.CONNECTED);
        assertThat(sensor.connections()).isEqualTo(2);
        device.characteristic(EssCharacteristic.TEMPERATURE).notifyValue(hex("d007")); // 20.00 °C
        await().atMost(WAIT).untilAsserted(() -> assertThat(reader(sensor).read()).containsExactly(20.0, 50.55));
    }

    @Test
    void aDeviceThatGoesAwayIsStaleWhileBlueZRemembersItThenAbsent() {
        FakeDevice device = essDevice(true, EssCharacteristic.TEMPERATURE, EssCharacteristic.HUMIDITY).inRange();
        BleCentral c = open();
        Duration staleAfter = Duration.ofMillis(300);
        EssSensor sensor = c.essSensor(essConfig().withStaleAfter(staleAfter));
        c.start();
        await().atMost(WAIT).until(() -> sensor.state() == BleLinkState.CONNECTED);
        assertThat(reader(sensor).read()).containsExactly(25.0, 50.55);

        device.outOfRange();

        await().atMost(WAIT).until(() -> sensor.state() == BleLinkState.RECONNECTING);
        assertThat(reader(sensor).read()).as("the last values are served until they are older than staleAfter")
                .containsExactly(25.0, 50.55);
        clock.advance(staleAfter);
        assertThat(reader(sensor).read()).as("exactly staleAfter old is not stale yet").containsExactly(25.0, 50.55);
        clock.advance(Duration.ofMillis(1));
        assertFails(sensor, Reason.STALE, "no temperature from " + ESS_ADDRESS);
        // the refused reconnect is reported once its attempt has failed (after RECONNECTING, on the fl-ble thread)
        await().atMost(WAIT).untilAsserted(() -> assertFails(sensor, Reason.STALE, "le-connection-abort-by-local"));

        device.forget();

        await().atMost(WAIT).untilAsserted(() -> assertFails(sensor, Reason.ABSENT, "not seen on hci0"));
    }

    @Test
    void aDeviceNeverFoundIsAbsentAndIsConnectedWhenItAppears() {
        BleCentral c = open();
        EssSensor sensor = c.essSensor(essConfig());
        c.start();
        await().atMost(WAIT).until(() -> bluez.adapter().discovering());
        assertFails(sensor, Reason.ABSENT, "BLE device address " + ESS_ADDRESS + " not seen on hci0");
        assertThat(sensor.state()).isEqualTo(BleLinkState.SEARCHING);

        essDevice(true, EssCharacteristic.TEMPERATURE, EssCharacteristic.HUMIDITY).inRange();

        await().atMost(WAIT).until(() -> sensor.state() == BleLinkState.CONNECTED);
        assertThat(reader(sensor).read()).containsExactly(25.0, 50.55);
    }

    @Test
    void aConnectThatHangsTimesOutAndIsRetried() {
        FakeDevice device = essDevice(true, EssCharacteristic.TEMPERATURE).answerConnect(ConnectAnswer.HANG).inRange();
        BleCentral c = open();
        EssSensor sensor = c.essSensor(essConfig().withCharacteristics(List.of(EssCharacteristic.TEMPERATURE))
                .withConnectTimeout(Duration.ofMillis(300)));
        c.start();

        await().atMost(WAIT).untilAsserted(() -> assertFails(sensor, Reason.STALE, "did not answer Connect"));

        device.answerConnect(ConnectAnswer.ACCEPT);
        await().atMost(WAIT).until(() -> sensor.state() == BleLinkState.CONNECTED);
        assertThat(reader(sensor).read()).containsExactly(25.0);
    }

    @Test
    void aDeviceWithoutTheConfiguredCharacteristicSaysSo() {
        essDevice(true, EssCharacteristic.TEMPERATURE).inRange();
        BleCentral c = open();
        EssSensor sensor = c.essSensor(essConfig().withCharacteristics(List.of(EssCharacteristic.TEMPERATURE, EssCharacteristic.PRESSURE)));
        c.start();

        await().atMost(WAIT).untilAsserted(() -> assertFails(sensor, Reason.STALE, "has no pressure characteristic"));
    }

    // ---- BTHome advertisements

    @Test
    void bthomeAdvertisementsUpdateValuesAndRepeatsAreDropped() {
        FakeDevice device = bluez.device(BTHOME_ADDRESS).name("SBHT-003C");
        device.advertise(BthomeEncoder.v2().packetId(1).battery(90).temperature(21.5).humidity(40).plain());
        device.inRange();
        BleCentral c = open();
        BthomeSensor sensor = c.bthomeSensor(BthomeSensorConfig.of(DeviceMatch.namePrefix("SBHT"))
                .withQuantities(List.of("temperature", "humidity", "battery")));
        c.start();

        awaitFirstReading(sensor, 21.5, 40.0, 90.0);
        assertThat(sensor.address()).hasValue(BTHOME_ADDRESS);
        assertThat(sensor.quantities()).extracting(q -> q.unit()).containsExactly("Cel", "%RH", "%EL");

        device.advertise(BthomeEncoder.v2().packetId(2).battery(89).temperature(22.25).humidity(41).plain());
        await().atMost(WAIT).untilAsserted(() -> assertThat(reader(sensor).read()).containsExactly(22.25, 41.0, 89.0));

        device.advertise(BthomeEncoder.v2().packetId(2).battery(1).temperature(-40).humidity(1).plain());
        await().atMost(WAIT).until(() -> sensor.duplicates() == 1);
        assertThat(reader(sensor).read()).containsExactly(22.25, 41.0, 89.0);
        assertThat(sensor.packets()).isEqualTo(2);
    }

    @Test
    void encryptedBthomeNeedsTheKeyAndRefusesReplays() {
        BthomeKey key = BthomeKey.ofHex("231d39c1d7cc1ab1aee224cd096db932");
        FakeDevice device = bluez.device(BTHOME_ADDRESS).name("DIY-sensor");
        device.advertise(BthomeEncoder.v2().temperature(25.06).humidity(50.55).encrypted(key, BTHOME_ADDRESS, 1122867));
        device.inRange();
        BleCentral c = open();
        BthomeSensor withKey = c.bthomeSensor(BthomeSensorConfig.of(DeviceMatch.address(BTHOME_ADDRESS)).withKey(key));
        BthomeSensor without = c.bthomeSensor(BthomeSensorConfig.of(DeviceMatch.address(BTHOME_ADDRESS)));
        c.start();

        awaitFirstReading(withKey, 25.06, 50.55);
        await().atMost(WAIT).untilAsserted(() -> assertFails(without, Reason.UNSUPPORTED, "encrypted"));

        device.advertise(BthomeEncoder.v2().temperature(30).humidity(30).encrypted(key, BTHOME_ADDRESS, 1122866));
        await().atMost(WAIT).until(() -> withKey.refused().getOrDefault(Problem.REPLAYED, 0L) == 1);
        assertThat(reader(withKey).read()).as("a replay changes nothing").containsExactly(25.06, 50.55);

        device.advertise(BthomeEncoder.v2().temperature(26).humidity(51).encrypted(key, BTHOME_ADDRESS, 1122868));
        await().atMost(WAIT).untilAsserted(() -> assertThat(reader(withKey).read()).containsExactly(26.0, 51.0));
    }

    @Test
    void aSilentBthomeDeviceGoesStaleThenAbsentWhenBlueZDropsIt() {
        FakeDevice device = bluez.device(BTHOME_ADDRESS).name("SBHT-003C");
        device.advertise(BthomeEncoder.v2().packetId(7).temperature(19).humidity(60).plain());
        device.inRange();
        BleCentral c = open();
        Duration staleAfter = Duration.ofMillis(300);
        BthomeSensor sensor = c.bthomeSensor(BthomeSensorConfig.of(DeviceMatch.address(BTHOME_ADDRESS)).withStaleAfter(staleAfter));
        c.start();
        awaitFirstReading(sensor, 19.0, 60.0);
        assertThat(sensor.packets()).isEqualTo(1);

        clock.advance(staleAfter);
        assertThat(reader(sensor).read()).as("exactly staleAfter old is not stale yet").containsExactly(19.0, 60.0);
        clock.advance(Duration.ofMillis(1));
        assertFails(sensor, Reason.STALE, "no temperature from " + BTHOME_ADDRESS);
        assertThat(sensor.packets() + sensor.duplicates()).as("no advertisement came after the first").isEqualTo(1);

        device.forget();
        await().atMost(WAIT).untilAsserted(() -> assertFails(sensor, Reason.ABSENT, "not seen on hci0"));
    }

    // ---- start-up refusals

    @Test
    void openingWithoutBlueZOnTheBusSaysWhatIsMissing() {
        bluez.close();

        assertThatThrownBy(this::open).isInstanceOf(HalException.class)
                .hasMessageContaining("BlueZ has no adapter hci0").hasMessageContaining("is bluetoothd running")
                .satisfies(e -> assertThat(((HalException) e).reason()).isEqualTo(Reason.ABSENT));
        central = null;
    }

    @Test
    void aPoweredOffAdapterIsRefused() throws Exception {
        bluez.close();
        bluez = FakeBluez.start(daemon.address(), false);

        assertThatThrownBy(this::open).isInstanceOf(HalException.class).hasMessageContaining("powered off")
                .satisfies(e -> assertThat(((HalException) e).reason()).isEqualTo(Reason.IO));
        central = null;
    }

    @Test
    void anUnreachableBusIsRefused() {
        assertThatThrownBy(() -> BleCentral.open(BleCentralConfig.of("hci0").withBusAddress("unix:path=" + dir.resolve("nothing"))
                .withCallTimeout(Duration.ofSeconds(1))))
                .isInstanceOf(HalException.class).hasMessageContaining("cannot connect to D-Bus")
                .satisfies(e -> assertThat(((HalException) e).reason()).isEqualTo(Reason.ABSENT));
    }
}

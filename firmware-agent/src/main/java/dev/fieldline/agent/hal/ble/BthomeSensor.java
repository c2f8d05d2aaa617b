package dev.fieldline.agent.hal.ble;

import dev.fieldline.agent.driver.SensorDriver;
import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.HalException.Reason;
import dev.fieldline.agent.hal.ble.BthomeException.Problem;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An advertising-only sensor in the BTHome v2 format. It binds to the first device that matches and
 * sends BTHome service data, decodes each advertisement as BlueZ reports it, drops repeats of the
 * same packet id (or, encrypted, the same counter) and refuses a counter that goes back. {@link
 * #read} serves the latest values: STALE when they are older than {@code staleAfter}, ABSENT when
 * BlueZ does not see the device, and the refusal itself when the device's latest advertisements
 * were refused (encrypted without a key, failing the MIC…).
 *
 * <p>A repeated packet id refreshes the values' age without changing them: BTHome devices raise the
 * packet id when their data changes, so a steady reading keeps its id.
 */
public final class BthomeSensor implements SensorDriver, BleCentral.Sensor {
    private static final Logger log = LoggerFactory.getLogger(BthomeSensor.class);

    private final BleCentral central;
    private final BthomeSensorConfig config;
    private final List<Quantity> quantities;
    private final LatestValues latest;
    private final Map<Problem, Long> refused = new EnumMap<>(Problem.class);
    private volatile BleLinkState state = BleLinkState.IDLE;
    private volatile String address;
    private Integer lastPacketId;
    private Long lastCounter;
    private Instant lastAccepted;
    private BthomeException lastRefusal;
    private Instant lastRefusalAt;
    private long packets;
    private long duplicates;

    BthomeSensor(BleCentral central, BthomeSensorConfig config) {
        this.central = central;
        this.config = config;
        this.quantities = config.quantities().stream().map(q -> new Quantity(q, BthomeObjects.unitOf(q))).toList();
        this.latest = new LatestValues(quantities.size(), config.staleAfter());
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
            synchronized (this) {
                throw unavailable(missing, now);
            }
        }
    }

    private HalException unavailable(int i, Instant now) {
        if (lastRefusal != null && (lastAccepted == null || lastRefusalAt.isAfter(lastAccepted))) {
            return new HalException(lastRefusal.reason(), "advertisements from " + address + " refused: " + lastRefusal.getMessage(),
                    lastRefusal);
        }
        String a = address;
        Optional<BleDevice> device = a != null ? central.byAddress(a) : central.find(config.match());
        if (device.isEmpty() || !device.get().present()) {
            return new HalException(Reason.ABSENT, "BLE device " + (a != null ? a : config.match().toString()) + " not seen on " + central.adapter());
        }
        String what = quantities.get(i).name();
        return new HalException(Reason.STALE, latest.age(i, now).isEmpty()
                ? "no " + what + " in any BTHome advertisement from " + device.get().address() + " yet"
                : "no " + what + " from " + device.get().address() + " " + latest.describeAge(i, now));
    }

    /** The address of the device this sensor follows, once one matched. */
    public Optional<String> address() {
        return Optional.ofNullable(address);
    }

    public BleLinkState state() {
        return state;
    }

    /** Advertisements accepted with new data. */
    public synchronized long packets() {
        return packets;
    }

    /** Advertisements dropped as repeats (same packet id or counter). */
    public synchronized long duplicates() {
        return duplicates;
    }

    /** Advertisements refused, by problem. */
    public synchronized Map<Problem, Long> refused() {
        return Map.copyOf(refused);
    }

    // ---- BleCentral.Sensor

    @Override
    public DeviceMatch match() {
        return config.match();
    }

    @Override
    public boolean wantsEveryAdvertisement() {
        return true;
    }

    @Override
    public void start() {
        state = BleLinkState.SEARCHING;
    }

    @Override
    public void deviceChanged(BleDevice device, Set<String> changed) {
        if (state == BleLinkState.CLOSED || state == BleLinkState.IDLE) {
            return;
        }
        String bound = address;
        if (bound != null ? !bound.equals(device.address()) : !config.match().matches(device)) {
            return;
        }
        byte[] data = device.serviceData().get(BleUuid.BTHOME);
        if (data == null || !(changed.isEmpty() || changed.contains("ServiceData"))) {
            return;
        }
        if (bound == null) {
            address = device.address();
            state = BleLinkState.CONNECTED;
            log.info("BLE BTHome sensor {} found ({})", device.address(), device.name().orElse("no name"));
        }
        accept(device.address(), data);
    }

    private synchronized void accept(String from, byte[] data) {
        BthomePacket p;
        try {
            p = config.key().isPresent() ? BthomeDecoder.decode(data, config.key().get(), from) : BthomeDecoder.decode(data);
        } catch (BthomeException e) {
            refuse(e);
            return;
        }
        Instant now = central.clock().instant();
        boolean repeat;
        if (p.counter().isPresent()) {
            long counter = p.counter().getAsLong();
            if (lastCounter != null && counter < lastCounter) {
                refuse(new BthomeException(Problem.REPLAYED, "counter " + counter + " from " + from + " is below the last accepted "
                        + lastCounter));
                return;
            }
            repeat = lastCounter != null && counter == lastCounter;
            lastCounter = counter;
        } else {
            repeat = p.packetId().isPresent() && lastPacketId != null && p.packetId().getAsInt() == lastPacketId;
        }
        lastPacketId = p.packetId().isPresent() ? p.packetId().getAsInt() : null;
        lastAccepted = now;
        if (repeat) {
            duplicates++;
        } else {
            packets++;
        }
        for (int i = 0; i < quantities.size(); i++) {
            Optional<BthomeMeasurement> m = p.first(quantities.get(i).name());
            if (m.isPresent() && repeat) {
                latest.touch(i, now);
            } else if (m.isPresent()) {
                latest.set(i, m.get().value(), now);
            }
        }
        if (p.unknownObjectId().isPresent()) {
            log.debug("BLE BTHome {}: stopped at unknown object id 0x{}", from, Integer.toHexString(p.unknownObjectId().getAsInt()));
        }
    }

    private void refuse(BthomeException e) {
        refused.merge(e.problem(), 1L, Long::sum);
        lastRefusal = e;
        lastRefusalAt = central.clock().instant();
        log.debug("BLE BTHome {}: {}", address, e.getMessage());
    }

    @Override
    public void deviceRemoved(BleDevice device) {
        // the binding stays: the same device comes back with the same address; read() reports ABSENT meanwhile
    }

    @Override
    public void halt() {
        state = BleLinkState.CLOSED;
    }

    @Override
    public void release() {
        // nothing held in BlueZ: an advertising sensor is never connected
    }
}

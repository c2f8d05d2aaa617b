# Unit tests of the ESP32 bridge's protocol logic under CPython with the fake `machine` module.
# Run by Esp32BridgeProgramTest (JUnit), or by hand from board-profiles/:
#   PYTHONPATH=src/main/micropython:src/main/micropython/sim python3 -m unittest discover -s src/test/python
import json
import os
import select
import struct
import unittest

import fieldline_bridge as fb
import machine

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.environ.get("FIELDLINE_BRIDGE_VECTORS") or os.path.join(
    HERE, "..", "..", "main", "micropython", "frame-vectors.json")


def unframe(wire):
    """Packets in a byte string from the bridge: (kind, id, payload) for each valid frame."""
    out = []
    for part in wire.split(b"\x00"):
        if not part:
            continue
        pkt = bytearray(fb.MAX_PACKET)
        n = fb.cobs_decode(part, len(part), pkt)
        assert n >= 5, "bad frame %r" % part
        crc = fb.crc16(pkt, n - 2)
        assert pkt[n - 2] | (pkt[n - 1] << 8) == crc, "bad CRC in %r" % part
        out.append((pkt[0], pkt[1] | (pkt[2] << 8), bytes(pkt[3:n - 2])))
    return out


class Clock:
    def __init__(self):
        self.now = 1000

    def __call__(self):
        return self.now


class Harness(unittest.TestCase):
    def setUp(self):
        machine.WORLD.__init__()
        self.clock = Clock()
        self._ticks = fb.ticks_ms
        fb.ticks_ms = self.clock
        self.out = bytearray()
        self.bridge = fb.Bridge(machine, self.out.extend, "esp32", 0x12345678, machine.PWRON_RESET)
        self.rid = 100

    def tearDown(self):
        fb.ticks_ms = self._ticks

    def take(self):
        packets = unframe(bytes(self.out))
        del self.out[:]
        return packets

    def call(self, kind, payload=b"", rid=None):
        """Sends one request and returns (reply kind, payload)."""
        if rid is None:
            self.rid += 1
            rid = self.rid
        self.bridge.feed(fb.frame(kind, rid, payload))
        replies = [p for p in self.take() if p[1] == rid]
        self.assertEqual(len(replies), 1, "one reply to request %d" % rid)
        return replies[0][0], replies[0][2]

    def ok(self, kind, payload=b""):
        k, p = self.call(kind, payload)
        self.assertEqual(k, kind | 0x80, "error reply: %r" % (p,))
        return p

    def error(self, kind, payload=b""):
        k, p = self.call(kind, payload)
        self.assertEqual(k, fb.ERROR)
        self.assertEqual(p[0], kind)
        return p[1], p[2:].decode()

    def hello(self):
        return self.ok(fb.HELLO, b"\x01\x01")


class VectorsTest(unittest.TestCase):
    """The shared byte-exact vectors (the Java side checks the same file)."""

    @classmethod
    def setUpClass(cls):
        with open(VECTORS) as f:
            cls.v = json.load(f)

    def test_crc(self):
        for c in self.v["crc16"]:
            self.assertEqual(fb.crc16(bytes.fromhex(c["hex"])), c["crc"], c)

    def test_cobs(self):
        for c in self.v["cobs"]:
            dec, enc = bytes.fromhex(c["decoded"]), bytes.fromhex(c["encoded"])
            self.assertEqual(bytes(fb.cobs_encode(dec)), enc)
            out = bytearray(300)
            n = fb.cobs_decode(enc, len(enc), out)
            self.assertEqual(bytes(out[:n]), dec)

    def test_frames(self):
        self.assertGreater(len(self.v["frames"]), 20)
        for f in self.v["frames"]:
            payload = bytes.fromhex(f["payload"])
            self.assertEqual(bytes(fb.packet(f["kind"], f["id"], payload)).hex(), f["packet"], f["name"])
            self.assertEqual(fb.frame(f["kind"], f["id"], payload).hex(), f["wire"], f["name"])
            self.assertEqual(unframe(bytes.fromhex(f["wire"])), [(f["kind"], f["id"], payload)], f["name"])

    def test_bad_frames(self):
        names = {"CRC": fb.ST_CRC, "FRAMING": fb.ST_FRAMING, "OVERSIZE": fb.ST_OVERSIZE}
        for b in self.v["bad_frames"]:
            out = bytearray()
            bridge = fb.Bridge(machine, out.extend, "esp32", 1)
            bridge.feed(bytes.fromhex(b["wire"]))
            counted = dict((k, bridge.stats[i]) for k, i in names.items())
            expected = dict((k, b["errors"].count(k)) for k in names)
            self.assertEqual(counted, expected, b["name"])
            # the whole frame after the damage still arrives: the INFO request is answered
            self.assertEqual([p[:2] for p in unframe(bytes(out))], [(fb.INFO | 0x80, 2)], b["name"])

    def test_info_vector_is_what_the_bridge_says(self):
        f = [f for f in self.v["frames"] if f["kind"] == fb.INFO | 0x80][0]
        out = bytearray()
        bridge = fb.Bridge(machine, out.extend, "esp32", 1)
        bridge.feed(fb.frame(fb.INFO, f["id"]))
        self.assertEqual(bytes(out).hex(), f["wire"])


class SessionTest(Harness):
    def test_boot_announces_boot_id_and_versions(self):
        self.bridge.boot()
        self.assertEqual(self.take(), [(fb.BOOT, 0, struct.pack("<IBBB", 0x12345678, 1, 1, 1))])

    def test_requests_need_a_session(self):
        code, text = self.error(fb.GPIO_READ, b"\x04")
        self.assertEqual(code, fb.E_NO_SESSION)
        self.assertIn("HELLO", text)

    def test_hello_negotiates_the_version(self):
        self.assertEqual(self.ok(fb.HELLO, b"\x01\x03"), struct.pack("<BIHH", 1, 0x12345678, 252, 10000))
        code, text = self.error(fb.HELLO, b"\x02\x03")
        self.assertEqual(code, fb.E_VERSION)
        self.assertEqual(text, "host speaks 2..3, bridge 1..1")

    def test_info_lists_chip_firmware_and_pins(self):
        p = self.ok(fb.INFO)
        self.assertEqual(p[1:1 + p[0]], b"esp32")
        i = 1 + p[0]
        self.assertEqual(p[i + 1:i + 1 + p[i]], fb.FIRMWARE.encode())
        i += 1 + p[i]
        self.assertEqual(struct.unpack_from("<BBBHB", p, i), (12, 8, 2, 10, 16))
        i += 6
        pins = dict((p[i + 1 + 2 * k], p[i + 2 + 2 * k]) for k in range(p[i]))
        self.assertEqual(len(pins), 24)
        self.assertEqual(pins[36], fb.CAP_IN | fb.CAP_ADC)
        self.assertEqual(pins[2], fb.CAP_IN | fb.CAP_OUT | fb.CAP_PWM | fb.CAP_I2C | fb.CAP_PULL)
        self.assertNotIn(1, pins)   # UART0 TX: the link itself
        self.assertNotIn(6, pins)   # flash

    def test_s3_has_its_own_pins(self):
        b = fb.Bridge(machine, bytearray().extend, "esp32s3", 1)
        self.assertIn(48, b._chip["pins"])
        self.assertTrue(b._chip["pins"][1] & fb.CAP_ADC)
        self.assertNotIn(19, b._chip["pins"])   # native USB
        self.assertEqual(fb.chip_of("Generic ESP32S3 module with ESP32S3"), "esp32s3")
        self.assertEqual(fb.chip_of("ESP32 module with ESP32"), "esp32")

    def test_unknown_request_and_bad_payload(self):
        self.hello()
        code, _ = self.error(0x33)
        self.assertEqual(code, fb.E_UNKNOWN_REQUEST)
        code, text = self.error(fb.GPIO_READ, b"\x04\x05")
        self.assertEqual((code, text), (fb.E_BAD_REQUEST, "payload of 2 bytes, expected 1"))
        self.assertEqual(self.bridge.stats[fb.ST_REJECTED], 2)

    def test_retransmission_is_answered_from_the_cache_without_acting_twice(self):
        self.hello()
        self.ok(fb.I2C_CONFIG, struct.pack("<BBBI", 0, 21, 22, 400000))
        machine.WORLD.chips[(0, 0x50)] = machine.I2cChip()
        request = fb.frame(fb.I2C_WRITE, 7000, b"\x00\x50\x10\xaa")
        self.bridge.feed(request)
        first = bytes(self.out)
        del self.out[:]
        self.bridge.feed(request)
        self.assertEqual(bytes(self.out), first)
        self.assertEqual(machine.WORLD.chips[(0, 0x50)].writes, 1)
        self.assertEqual(self.bridge.stats[fb.ST_DUPLICATES], 1)
        # the same id with other contents is a new request (a restarted host)
        del self.out[:]
        self.bridge.feed(fb.frame(fb.I2C_WRITE, 7000, b"\x00\x50\x10\xbb"))
        self.assertEqual(machine.WORLD.chips[(0, 0x50)].writes, 2)

    def test_lease_ends_a_quiet_session(self):
        self.hello()
        self.clock.now += fb.LEASE_MS - 1
        self.bridge.tick()
        self.ok(fb.PING)
        self.clock.now += fb.LEASE_MS
        self.bridge.tick()
        code, _ = self.error(fb.PING)
        self.assertEqual(code, fb.E_NO_SESSION)

    def test_exit_stops_serve(self):
        class Port:
            def __init__(self, data):
                self.data = [data]
                self.written = bytearray()

            def read(self, timeout_ms):
                return self.data.pop(0) if self.data else b""

            def write(self, data):
                self.written.extend(data)

        port = Port(fb.frame(fb.EXIT, 9))
        bridge = fb.Bridge(machine, port.write, "esp32", 5)
        fb.serve(bridge, port)
        self.assertEqual([p[:2] for p in unframe(bytes(port.written))], [(fb.BOOT, 0), (fb.EXIT | 0x80, 9)])


class FramingTest(Harness):
    def test_frames_split_anywhere_are_reassembled(self):
        wire = fb.frame(fb.INFO, 3)
        for b in wire:
            self.bridge.feed(bytes([b]))
        self.assertEqual([p[:2] for p in self.take()], [(fb.INFO | 0x80, 3)])

    def test_garbage_oversize_and_crc_errors_are_counted_and_lose_nothing_after(self):
        self.bridge.feed(b"\x00" + b"\x55" * 1000 + b"\x00")
        bad = bytearray(fb.frame(fb.INFO, 4))
        bad[3] ^= 0x01
        self.bridge.feed(bytes(bad))
        self.bridge.feed(b"\x00\x02\x00")
        self.bridge.feed(fb.frame(fb.INFO, 5))
        self.assertEqual(self.bridge.stats[fb.ST_OVERSIZE], 1)
        self.assertEqual(self.bridge.stats[fb.ST_CRC], 1)
        self.assertEqual(self.bridge.stats[fb.ST_FRAMING], 1)
        self.assertEqual([p[:2] for p in self.take()], [(fb.INFO | 0x80, 5)])

    def test_largest_frame_passes_one_byte_more_is_oversize(self):
        self.hello()
        # an I2C write of 128 bytes is within limits; the receive buffer takes MAX_ENCODED bytes
        payload = b"\x00\x50\x00" + bytes(range(1, 129))
        self.assertLessEqual(len(fb.frame(fb.I2C_WRITE, 1, payload)) - 2, fb.MAX_ENCODED)
        self.bridge.feed(b"\x00" + b"\x01" * fb.MAX_ENCODED + b"\x00")
        self.assertEqual(self.bridge.stats[fb.ST_OVERSIZE], 0)
        self.bridge.feed(b"\x00" + b"\x01" * (fb.MAX_ENCODED + 1) + b"\x00")
        self.assertEqual(self.bridge.stats[fb.ST_OVERSIZE], 1)

    def test_stream_port_reads_what_a_pipe_carries(self):
        r, w = os.pipe()
        inp = open(r, "rb", buffering=0)
        out = open(os.dup(w), "wb", buffering=0)
        try:
            poller = select.poll()
            poller.register(r, select.POLLIN)
            port = fb.StreamPort(inp, out, poller)
            self.assertEqual(port.read(10), b"")
            port.write(fb.frame(fb.PING, 1))
            got = b""
            while len(got) < len(fb.frame(fb.PING, 1)):
                got += port.read(100)
            self.assertEqual(got, fb.frame(fb.PING, 1))
        finally:
            inp.close()
            out.close()
            os.close(w)


class GpioTest(Harness):
    def setUp(self):
        Harness.setUp(self)
        self.hello()

    def test_output_starts_at_its_level_and_follows_writes(self):
        self.ok(fb.GPIO_CONFIG, bytes([2, fb.MODE_OUT, 1]))
        self.assertEqual(machine.WORLD.pins[2], {"mode": machine.Pin.OUT, "pull": None, "value": 1})
        self.ok(fb.GPIO_WRITE, b"\x02\x00")
        self.assertEqual(machine.WORLD.pins[2]["value"], 0)
        self.assertEqual(self.ok(fb.GPIO_READ, b"\x02"), b"\x00")

    def test_input_with_pull_up_reads_high_until_driven(self):
        self.ok(fb.GPIO_CONFIG, bytes([4, fb.MODE_IN_PULL_UP, 0]))
        self.assertEqual(self.ok(fb.GPIO_READ, b"\x04"), b"\x01")
        machine.WORLD.inputs[4] = 0
        self.assertEqual(self.ok(fb.GPIO_READ, b"\x04"), b"\x00")

    def test_pins_the_chip_cannot_use(self):
        self.assertEqual(self.error(fb.GPIO_CONFIG, bytes([34, fb.MODE_OUT, 0])),
                         (fb.E_BAD_PIN, "GPIO 34 cannot do output on esp32"))
        self.assertEqual(self.error(fb.GPIO_CONFIG, bytes([36, fb.MODE_IN_PULL_UP, 0]))[0], fb.E_BAD_PIN)
        self.assertEqual(self.error(fb.GPIO_CONFIG, bytes([6, fb.MODE_IN, 0]))[0], fb.E_BAD_PIN)
        self.assertEqual(self.error(fb.GPIO_WRITE, b"\x04\x01")[0], fb.E_NOT_CONFIGURED)


class AdcPwmTest(Harness):
    def setUp(self):
        Harness.setUp(self)
        self.hello()

    def test_adc_reads_twelve_bit_counts_with_full_range_attenuation(self):
        machine.WORLD.adc[36] = 1234
        self.assertEqual(self.ok(fb.ADC_READ, b"\x24"), struct.pack("<H", 1234))
        machine.WORLD.adc[36] = 4095
        self.assertEqual(self.ok(fb.ADC_READ, b"\x24"), struct.pack("<H", 4095))
        self.assertEqual(machine.WORLD.pins[36]["atten"], machine.ADC.ATTN_11DB)
        self.assertEqual(self.error(fb.ADC_READ, b"\x02")[0], fb.E_BAD_PIN)

    def test_pwm_set_change_and_off(self):
        self.ok(fb.PWM_SET, struct.pack("<BIH", 5, 1000, 32768))
        self.assertEqual(machine.WORLD.pwm[5], {"freq": 1000, "duty_u16": 32768})
        self.ok(fb.PWM_SET, struct.pack("<BIH", 5, 2000, 100))
        self.assertEqual(machine.WORLD.pwm[5], {"freq": 2000, "duty_u16": 100})
        self.ok(fb.PWM_SET, struct.pack("<BIH", 5, 0, 0))
        self.assertNotIn(5, machine.WORLD.pwm)
        self.assertEqual(machine.WORLD.pins[5]["value"], 0)

    def test_pwm_channels_run_out(self):
        for pin in (2, 4, 5, 12, 13, 14, 15, 16):
            self.ok(fb.PWM_SET, struct.pack("<BIH", pin, 1000, 1))
        self.assertEqual(self.error(fb.PWM_SET, struct.pack("<BIH", 17, 1000, 1)),
                         (fb.E_LIMIT, "all 8 PWM channels in use"))


class I2cTest(Harness):
    def setUp(self):
        Harness.setUp(self)
        self.hello()
        self.ok(fb.I2C_CONFIG, struct.pack("<BBBI", 0, 21, 22, 400000))
        machine.WORLD.chips[(0, 0x48)] = machine.I2cChip(bytes([0x19, 0x80, 0x60, 0xA0]))

    def test_register_reads_and_writes_auto_increment(self):
        self.assertEqual(self.ok(fb.I2C_READ, b"\x00\x48\x00\x02"), b"\x19\x80")
        self.ok(fb.I2C_WRITE, b"\x00\x48\x02\x11\x22")
        self.assertEqual(self.ok(fb.I2C_READ, b"\x00\x48\x01\x03"), b"\x80\x11\x22")
        self.assertEqual(machine.WORLD.buses[0], {"scl": 22, "sda": 21, "freq": 400000})

    def test_a_write_without_data_only_sets_the_register_pointer(self):
        self.ok(fb.I2C_WRITE, b"\x00\x48\x01")
        self.assertEqual(machine.WORLD.chips[(0, 0x48)].regs[0:4], bytearray([0x19, 0x80, 0x60, 0xA0]))
        self.assertEqual(self.error(fb.I2C_WRITE, b"\x00\x48")[0], fb.E_BAD_REQUEST)

    def test_bus_errors_have_codes(self):
        self.assertEqual(self.error(fb.I2C_READ, b"\x00\x49\x00\x01"), (fb.E_NACK, "no ACK from 0x49"))
        machine.WORLD.chips[(0, 0x48)].fault = "timeout"
        self.assertEqual(self.error(fb.I2C_READ, b"\x00\x48\x00\x01")[0], fb.E_BUS_TIMEOUT)
        machine.WORLD.chips[(0, 0x48)].fault = "io"
        self.assertEqual(self.error(fb.I2C_WRITE, b"\x00\x48\x00\x01")[0], fb.E_IO)
        self.assertEqual(self.error(fb.I2C_READ, b"\x01\x48\x00\x01")[0], fb.E_NOT_CONFIGURED)
        self.assertEqual(self.error(fb.I2C_READ, b"\x00\x48\x00\x81")[0], fb.E_LIMIT)

    def test_i2c_pins_are_taken(self):
        self.assertEqual(self.error(fb.GPIO_CONFIG, bytes([21, fb.MODE_OUT, 0])),
                         (fb.E_NOT_CONFIGURED, "GPIO 21 belongs to an I2C bus"))


class SubscriptionTest(Harness):
    def setUp(self):
        Harness.setUp(self)
        self.hello()
        self.ok(fb.GPIO_CONFIG, bytes([4, fb.MODE_IN, 0]))
        machine.WORLD.adc[36] = 2000
        machine.WORLD.inputs[4] = 1

    def subscribe(self, period, *channels):
        payload = struct.pack("<HBB", period, 7, len(channels))
        for c in channels:
            payload += bytes(c)
        return self.ok(fb.SUBSCRIBE, payload)

    def test_pushes_at_the_period_with_sequence_and_device_time(self):
        self.subscribe(20, (fb.SRC_ADC, 36), (fb.SRC_GPIO, 4))
        pushes = []
        for _ in range(100):        # 100 ms in 1 ms steps
            self.clock.now += 1
            self.bridge.tick()
            pushes += [p for p in self.take() if p[0] == fb.READINGS]
        # the first at the first tick after subscribing, then on a fixed 20 ms schedule
        seqs = [struct.unpack_from("<H", p[2])[0] for p in pushes]
        times = [struct.unpack_from("<H", p[2], 2)[0] for p in pushes]
        self.assertEqual(seqs, [0, 1, 2, 3, 4, 5])
        self.assertEqual(times, [1001, 1020, 1040, 1060, 1080, 1100])
        self.assertEqual(pushes[0][2][4:], struct.pack("<BBHH", 7, 2, 2000, 1))

    def test_a_late_tick_skips_ahead_instead_of_bursting(self):
        self.subscribe(10, (fb.SRC_ADC, 36))
        self.clock.now += 1
        self.bridge.tick()
        self.take()
        self.clock.now += 55
        self.bridge.tick()
        self.bridge.tick()
        self.assertEqual(len(self.take()), 1)

    def test_limits(self):
        self.assertEqual(self.subscribe_error(5, (fb.SRC_ADC, 36))[0], fb.E_LIMIT)
        self.assertEqual(self.subscribe_error(20, *([(fb.SRC_ADC, 36)] * 17))[0], fb.E_LIMIT)
        self.assertEqual(self.subscribe_error(20, (fb.SRC_GPIO, 5))[0], fb.E_NOT_CONFIGURED)
        self.assertEqual(self.subscribe_error(20, (fb.SRC_ADC, 2))[0], fb.E_BAD_PIN)

    def subscribe_error(self, period, *channels):
        payload = struct.pack("<HBB", period, 7, len(channels))
        for c in channels:
            payload += bytes(c)
        return self.error(fb.SUBSCRIBE, payload)

    def test_hello_ends_the_subscription(self):
        self.subscribe(10, (fb.SRC_ADC, 36))
        self.hello()
        self.clock.now += 50
        self.bridge.tick()
        self.assertEqual(self.take(), [])


if __name__ == "__main__":
    unittest.main()

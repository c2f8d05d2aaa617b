# A smoke test of the bridge on real MicroPython (not CPython): concatenated after
# fieldline_bridge.py and sim/machine.py into one script, because the MicroPython build used here
# (WebAssembly, npm package @micropython/micropython-webassembly-pyscript) runs a single file:
#
#   cat src/main/micropython/fieldline_bridge.py src/main/micropython/sim/machine.py \
#       src/test/micropython/smoke.py > /tmp/bridge-smoke.py
#   node node_modules/@micropython/micropython-webassembly-pyscript/micropython.mjs /tmp/bridge-smoke.py
#
# The default heap of that runner is 128 KB, about what an ESP32 running MicroPython has free. (Its
# garbage collector does not reclaim while the script runs, so heap growth is not measured here.)
import gc
import sys
from binascii import hexlify, unhexlify


class M:
    Pin = Pin
    ADC = ADC
    PWM = PWM
    I2C = I2C


def check(what, got, want):
    if got != want:
        print("FAIL", what, got, want)
        sys.exit(1)
    print("ok", what)


class Out:
    """What the bridge wrote (MicroPython's bytearray has no slice deletion, so: a list)."""

    def __init__(self):
        self.parts = []

    def write(self, data):
        self.parts.append(bytes(data))

    def take(self):
        data = b"".join(self.parts)
        self.parts = []
        return data


def replies(data):
    res = []
    for part in data.split(b"\x00"):
        if part:
            pkt = bytearray(MAX_PACKET)
            n = cobs_decode(part, len(part), pkt)
            res.append((pkt[0], pkt[1] | (pkt[2] << 8), bytes(pkt[3:n - 2])))
    return res


print(sys.implementation.name, sys.implementation.version)
check("crc check value", crc16(b"123456789"), 0x29B1)
check("HELLO wire", hexlify(frame(HELLO, 1, b"\x01\x01")), b"00030101050101f9ee00")
gc.collect()
used0 = gc.mem_alloc()
out = Out()
b = Bridge(M, out.write, "esp32", 0x12345678, 1)
gc.collect()
print("a Bridge takes %d bytes of heap" % (gc.mem_alloc() - used0))
b.feed(unhexlify("00030101050101f9ee00"))
check("HELLO reply", hexlify(out.take()), b"00038101070178563412fc0510275e1500")
b.feed(frame(INFO, 2))
check("INFO reply kind", replies(out.take())[0][0], 0x82)
b.feed(frame(GPIO_CONFIG, 3, bytes([2, MODE_OUT, 1])))
b.feed(frame(GPIO_WRITE, 4, b"\x02\x00"))
b.feed(frame(GPIO_READ, 5, b"\x02"))
check("GPIO", replies(out.take()), [(0x90, 3, b""), (0x92, 4, b""), (0x91, 5, b"\x00")])
WORLD.adc[36] = 1234
b.feed(unhexlify("0003202004 24ae5100".replace(" ", "")))
check("ADC reply wire", hexlify(out.take()), b"0003a02005d204e73f00")
b.feed(frame(PWM_SET, 6, struct.pack("<BIH", 5, 1000, 32768)))
check("PWM", WORLD.pwm[5], {"freq": 1000, "duty_u16": 32768})
b.feed(frame(I2C_CONFIG, 7, struct.pack("<BBBI", 0, 21, 22, 400000)))
WORLD.chips[(0, 0x76)] = I2cChip(b"\x60")
b.feed(frame(I2C_READ, 8, b"\x00\x76\x00\x01"))
b.feed(frame(I2C_READ, 9, b"\x00\x77\x00\x01"))
r = replies(out.take())
check("I2C read", r[-2], (0xC2, 8, b"\x60"))
check("I2C NACK", r[-1][:2] + (r[-1][2][1],), (ERROR, 9, E_NACK))
b.feed(b"ets Jun  8 2016 00:22:57\r\n" + b"\x41" * 300 + b"\x00")
b.feed(frame(PING, 10))
check("garbage then PING", replies(out.take()), [(0x83, 10, b"")])
check("garbage counted", (b.stats[ST_FRAMING], b.stats[ST_OVERSIZE]), (0, 1))
b.feed(frame(GPIO_CONFIG, 11, bytes([4, MODE_IN_PULL_UP, 0])))
b.feed(frame(SUBSCRIBE, 12, struct.pack("<HBB", 10, 1, 2) + bytes([SRC_ADC, 36, SRC_GPIO, 4])))
out.take()
t0 = ticks_ms()
pushes = []
while len(pushes) < 10 and ticks_diff(ticks_ms(), t0) < 5000:
    b.tick()
    pushes += [p for p in replies(out.take()) if p[0] == READINGS]
check("10 pushes at 10 ms", [struct.unpack("<H", p[2][:2])[0] for p in pushes], list(range(10)))
print("10 pushes took %d ms on this runner" % ticks_diff(ticks_ms(), t0))
check("push values", pushes[0][2][4:], struct.pack("<BBHH", 1, 2, 1234, 1))
out.take()
b.feed(frame(SUBSCRIBE, 13, struct.pack("<HBB", 0, 0, 0)))
t0 = ticks_ms()
for i in range(1000):
    b.feed(frame(ADC_READ, 1000 + i, b"\x24"))
    out.take()
print("1000 ADC_READ requests handled in %d ms" % ticks_diff(ticks_ms(), t0))
print("PASSED")

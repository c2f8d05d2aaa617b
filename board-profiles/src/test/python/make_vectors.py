# Writes ../../main/micropython/frame-vectors.json, the byte-exact vectors both sides of the bridge
# protocol check. Frames come from the bridge's encoder; they are anchored by the CRC catalogue's
# check value, the COBS paper's examples (asserted below), and by the Java side, written on its own,
# agreeing byte for byte (firmware-agent FrameVectorsTest).
#   python3 make_vectors.py
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BRIDGE = os.path.join(HERE, "..", "..", "main", "micropython")
sys.path.insert(0, BRIDGE)
import fieldline_bridge as fb  # noqa: E402
def h(b): return bytes(b).hex()
wiki = [
 ("00", "0101"), ("0000", "010101"), ("001100", "01021101"), ("11220033", "0311220233"),
 ("11223344", "0511223344"), ("11000000", "0211010101"),
 (h(range(1,255)), "ff" + h(range(1,255))),
 (h(range(0,255)), "01ff" + h(range(1,255))),
 (h(range(1,256)), "ff" + h(range(1,255)) + "02ff"),
 (h(list(range(2,256))+[0]), "ff" + h(range(2,256)) + "0101"),
 (h(list(range(3,256))+[0,1]), "fe" + h(range(3,256)) + "0201"),
]
cobs = [{"decoded": "", "encoded": "01"}] + [{"decoded": d, "encoded": e} for d, e in wiki]
for c in cobs:
    d = bytes.fromhex(c["decoded"]); assert h(fb.cobs_encode(d)) == c["encoded"], c
crc = [{"hex": b"123456789".hex(), "crc": 0x29B1, "note": "catalogue check value of CRC-16/IBM-3740 (CCITT-FALSE)"},
       {"hex": "", "crc": 0xFFFF}, {"hex": "00", "crc": fb.crc16(b"\x00")}, {"hex": "01000102", "crc": fb.crc16(bytes.fromhex("01000102"))}]
assert fb.crc16(b"123456789") == 0x29B1
frames = []
def add(name, kind, rid, payload):
    p = fb.packet(kind, rid, payload)
    frames.append({"name": name, "kind": kind, "id": rid, "payload": h(payload), "packet": h(p), "wire": h(fb.frame(kind, rid, payload))})
add("HELLO request, versions 1..1", fb.HELLO, 1, b"\x01\x01")
add("HELLO reply: version 1, boot id 0x12345678, max packet 252, lease 10000 ms", fb.HELLO|0x80, 1, struct.pack("<BIHH", 1, 0x12345678, 252, 10000))
add("INFO request", fb.INFO, 2, b"")
chip=b"esp32"; fw=b"fieldline-bridge 1.0.0"
pins = fb.CHIPS["esp32"]["pins"]
infop = bytes([len(chip)])+chip+bytes([len(fw)])+fw+struct.pack("<BBBHB",12,8,2,10,16)+bytes([len(pins)])+b"".join(bytes([p,pins[p]]) for p in sorted(pins))
add("INFO reply: esp32, firmware, 12-bit ADC, 8 PWM, 2 I2C, 10 ms, 16 channels, 24 pins", fb.INFO|0x80, 2, infop)
add("PING request", fb.PING, 3, b"")
add("PING reply", fb.PING|0x80, 3, b"")
add("STATS request", fb.STATS, 4, b"")
add("STATS reply", fb.STATS|0x80, 4, struct.pack("<7I", 120, 1, 2, 0, 3, 1, 500))
add("EXIT request", fb.EXIT, 5, b"")
add("GPIO_CONFIG request: GPIO 2 output, initially high", fb.GPIO_CONFIG, 16, bytes([2, fb.MODE_OUT, 1]))
add("GPIO_CONFIG reply", fb.GPIO_CONFIG|0x80, 16, b"")
add("GPIO_CONFIG request: GPIO 4 input with pull-up", fb.GPIO_CONFIG, 17, bytes([4, fb.MODE_IN_PULL_UP, 0]))
add("GPIO_READ request: GPIO 4", fb.GPIO_READ, 18, bytes([4]))
add("GPIO_READ reply: high", fb.GPIO_READ|0x80, 18, bytes([1]))
add("GPIO_WRITE request: GPIO 2 low", fb.GPIO_WRITE, 19, bytes([2, 0]))
add("ADC_READ request: GPIO 36", fb.ADC_READ, 32, bytes([36]))
add("ADC_READ reply: 1234", fb.ADC_READ|0x80, 32, struct.pack("<H", 1234))
add("PWM_SET request: GPIO 5, 1000 Hz, duty 32768/65535", fb.PWM_SET, 48, struct.pack("<BIH", 5, 1000, 32768))
add("PWM_SET request: GPIO 5 off", fb.PWM_SET, 49, struct.pack("<BIH", 5, 0, 0))
add("I2C_CONFIG request: controller 0, SDA 21, SCL 22, 400 kHz", fb.I2C_CONFIG, 64, struct.pack("<BBBI", 0, 21, 22, 400000))
add("I2C_WRITE request: controller 0, 0x76, register 0xF4 <- 0x27", fb.I2C_WRITE, 65, bytes([0, 0x76, 0xF4, 0x27]))
add("I2C_READ request: controller 0, 0x76, register 0xD0, 1 byte", fb.I2C_READ, 66, bytes([0, 0x76, 0xD0, 1]))
add("I2C_READ reply: 0x60", fb.I2C_READ|0x80, 66, bytes([0x60]))
add("SUBSCRIBE request: every 20 ms, tag 1, ADC GPIO 36 and level of GPIO 4", fb.SUBSCRIBE, 80, struct.pack("<HBB", 20, 1, 2) + bytes([fb.SRC_ADC, 36, fb.SRC_GPIO, 4]))
add("SUBSCRIBE request: stop", fb.SUBSCRIBE, 81, struct.pack("<HBB", 0, 0, 0))
add("READINGS: seq 5, device time 1000 ms, tag 1, 1234 and 1", fb.READINGS, 0, struct.pack("<HHBBHH", 5, 1000, 1, 2, 1234, 1))
add("BOOT: boot id 0x12345678, versions 1..1, power-on reset", fb.BOOT, 0, struct.pack("<IBBB", 0x12345678, 1, 1, 1))
add("ERROR reply to GPIO_WRITE: not configured", fb.ERROR, 19, bytes([fb.GPIO_WRITE, fb.E_NOT_CONFIGURED]) + b"GPIO 2 is not an output")
add("ERROR reply to I2C_READ: NACK", fb.ERROR, 66, bytes([fb.I2C_READ, fb.E_NACK]) + b"no ACK from 0x76")
add("PING request with id 0x0100 (zero byte in the id)", fb.PING, 0x100, b"")
add("I2C_WRITE of 128 bytes (the most one request carries) to 0x50 register 0", fb.I2C_WRITE, 0x2000, bytes([0, 0x50, 0]) + bytes(range(0x80, 0x100)))
good = fb.frame(fb.INFO, 2)
bad = [
 {"name": "CRC error (last payload bit flipped)", "wire": h(b"\x00" + fb.cobs_encode(bytearray(fb.packet(fb.GPIO_READ, 18, b"\x05")[:3]) + b"\x05" + fb.packet(fb.GPIO_READ, 18, b"\x04")[4:]) + b"\x00") + h(good), "errors": ["CRC"]},
 {"name": "too short: 4 bytes, no room for a CRC", "wire": "00" + h(fb.cobs_encode(b"\x03\x01\x00\x00")) + "00" + h(good), "errors": ["FRAMING"]},
 {"name": "not COBS: a code byte runs past the delimiter", "wire": "000511220000" + h(good), "errors": ["FRAMING"]},
 {"name": "text on the line (a boot message)", "wire": h(b"hello\r\n") + h(good), "errors": ["FRAMING"]},
 {"name": "oversize: 254 bytes without a delimiter", "wire": "00" + "41" * 254 + h(good), "errors": ["OVERSIZE"]},
 {"name": "partial frame, then a whole one", "wire": h(fb.frame(fb.ADC_READ, 32, b"\x24")[:5]) + h(good), "errors": ["FRAMING"]},
 {"name": "empty frames between delimiters are ignored", "wire": "000000" + h(good) + "00", "errors": []},
]
for b in bad:
    b["packets"] = [{"kind": fb.INFO, "id": 2, "payload": ""}]
doc = {
 "about": "Byte-exact vectors of the Fieldline ESP32 bridge protocol v1 (docs/esp32-bridge.md). Checked by the MicroPython bridge's tests (python3) and by the Java side (firmware-agent FrameVectorsTest). Hex strings; wire = 00 COBS(packet) 00; packet = kind, id (u16 LE), payload, CRC-16/IBM-3740 (u16 LE) over kind..payload.",
 "crc16": crc, "cobs": cobs, "frames": frames, "bad_frames": bad}
with open(os.path.join(BRIDGE, "frame-vectors.json"), "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
print(len(frames), "frames")

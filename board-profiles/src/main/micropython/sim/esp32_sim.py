# A simulated ESP32 on a serial port: the bridge's own protocol logic (fieldline_bridge.Bridge and
# serve, unchanged) under CPython, with the fake `machine` module of this directory.
#
#   python3 esp32_sim.py PORT [--chip esp32|esp32s3] [--boot-id N]
#
# PORT is a tty, typically one end of a pty pair:
#   socat pty,raw,echo=0,link=/tmp/host pty,raw,echo=0,link=/tmp/esp32
#   python3 esp32_sim.py /tmp/esp32        # the agent opens /tmp/host
#
# Control: one JSON object per line on stdin, one JSON answer per line on stdout. The first line
# out is {"ready": true, "boot_id": N}. Commands (all answers carry "ok"):
#   {"cmd": "adc", "pin": 36, "count": 1234}            ADC count (12 bits) seen on a pin
#   {"cmd": "input", "pin": 4, "level": 1}              level driven onto a pin (null: floating)
#   {"cmd": "i2c_chip", "bus": 0, "addr": 72, "regs": "hex", "fault": null}
#                                                        attach a chip (fault: nack|timeout|io)
#   {"cmd": "i2c_regs", "bus": 0, "addr": 72}           -> "regs": hex of its 256 registers
#   {"cmd": "state"}                                    -> pins, pwm, buses, boot_id, stats
#   {"cmd": "mute", "on": true}                          stop (or resume) sending anything
#   {"cmd": "mute_pushes", "on": true}                   stop (or resume) sending READINGS only
#   {"cmd": "corrupt_tx", "frames": 1}                   flip a bit in the next frames sent
#   {"cmd": "corrupt_rx", "frames": 1}                   flip a bit in the next frames received
#   {"cmd": "split_tx", "frames": 1, "gap_ms": 40}       send the next frames in two halves
#   {"cmd": "garbage", "hex": "48656c6c6f"}             raw bytes onto the line
#   {"cmd": "reset", "cause": 1, "truncate": true}      reboot: ROM boot log, new boot id, BOOT
#                                                        (truncate: cut a frame off mid-way first)
#   {"cmd": "exit"}
# The simulator exits when the port goes away (the pty pair was closed: "unplugged").
import json
import os
import select
import sys
import threading
import time
import tty

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(1, os.path.dirname(HERE))

import fieldline_bridge as fb  # noqa: E402
import machine  # noqa: E402  (the fake one beside this file)

# What an ESP32's ROM bootloader and MicroPython print at 115200 baud before main.py runs.
BOOT_LOG = (b"ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n"
            b"configsip: 0, SPIWP:0xee\r\nclk_drv:0x00,q_drv:0x00,d_drv:0x00,cs0_drv:0x00,hd_drv:0x00,wp_drv:0x00\r\n"
            b"mode:DIO, clock div:2\r\nload:0x3fff0030,len:4540\r\nentry 0x40080680\r\n")


class Reset(Exception):
    def __init__(self, cause, boot_id, truncate):
        super().__init__("reset")
        self.cause = cause
        self.boot_id = boot_id
        self.truncate = truncate


class Unplugged(Exception):
    pass


def flip(encoded):
    """The same frame (COBS, no delimiters) with one bit of its packet flipped and the CRC left
    alone: a CRC error at the receiver. Bytes that are not a frame pass unchanged."""
    pkt = bytearray(fb.MAX_PACKET)
    n = fb.cobs_decode(encoded, len(encoded), pkt)
    if n < 5:
        return bytes(encoded)
    pkt[n - 3] ^= 0x10
    return bytes(fb.cobs_encode(pkt[:n]))


def kind_of(wire):
    """The packet kind of a whole frame (00 COBS 00), or -1."""
    pkt = bytearray(fb.MAX_PACKET)
    n = fb.cobs_decode(wire[1:-1], len(wire) - 2, pkt)
    return pkt[0] if n >= 5 else -1


class Simulator:
    def __init__(self, port_path, chip, boot_id):
        self.chip = chip
        self.boot_id = boot_id
        self.fd = os.open(port_path, os.O_RDWR | os.O_NOCTTY)
        try:
            tty.setraw(self.fd)
        except Exception:
            pass
        self.stream = open(self.fd, "r+b", buffering=0)
        self.ctl_r, self.ctl_w = os.pipe()
        self.commands = []
        self.lock = threading.Lock()
        self.poll = select.poll()
        self.poll.register(self.fd, select.POLLIN)
        self.poll.register(self.ctl_r, select.POLLIN)
        self.muted = False
        self.pushes_muted = False
        self.corrupt_tx = 0
        self.corrupt_rx = 0
        self.split_tx = 0
        self.split_gap = 0.04
        self.deferred = []        # (due, bytes) waiting to go out, in order
        self.rx_frame = bytearray()
        self.bridge = None

    # -- the link the bridge sees --

    def send(self, data):
        """The bridge's write: every call is one whole frame."""
        if self.muted:
            return
        data = bytes(data)
        if self.pushes_muted and kind_of(data) == fb.READINGS:
            return
        if self.corrupt_tx and len(data) > 2:
            self.corrupt_tx -= 1
            data = b"\x00" + flip(data[1:-1]) + b"\x00"
        if self.split_tx and len(data) > 2:
            self.split_tx -= 1
            half = len(data) // 2
            self.raw(data[:half])
            self.deferred.append((time.monotonic() + self.split_gap, data[half:]))
            return
        self.raw(data)

    def raw(self, data):
        if self.deferred:
            self.deferred.append((0, data))
            return
        self.write_fd(data)

    def write_fd(self, data):
        mv = memoryview(data)
        while len(mv):
            try:
                mv = mv[os.write(self.fd, mv):]
            except OSError:
                raise Unplugged()

    def flush_deferred(self):
        now = time.monotonic()
        while self.deferred and self.deferred[0][0] <= now:
            self.write_fd(self.deferred.pop(0)[1])

    def tap(self, data):
        """What the bridge receives: whole frames, the next corrupt_rx of them with a bit flipped."""
        out = bytearray()
        for b in data:
            if b == 0:
                if self.rx_frame and self.corrupt_rx:
                    self.corrupt_rx -= 1
                    out += flip(self.rx_frame)
                else:
                    out += self.rx_frame
                out.append(0)
                self.rx_frame = bytearray()
            else:
                self.rx_frame.append(b)
        return bytes(out)

    # -- poller for StreamPort: the pty, the control pipe and deferred writes --

    def poller(self):
        sim = self

        class Poller:
            def poll(self, timeout_ms):
                deadline = time.monotonic() + max(0, timeout_ms) / 1000.0
                while True:
                    wait = deadline - time.monotonic()
                    if sim.deferred:
                        wait = min(wait, sim.deferred[0][0] - time.monotonic())
                    ready = False
                    for fd, ev in sim.poll.poll(max(0, int(wait * 1000))):
                        if fd == sim.ctl_r:
                            os.read(sim.ctl_r, 4096)
                            sim.run_commands()
                        elif ev & select.POLLIN:
                            ready = True
                        elif ev & (select.POLLHUP | select.POLLERR):
                            raise Unplugged()
                    sim.flush_deferred()
                    if ready:
                        return [(sim.fd, select.POLLIN)]
                    if time.monotonic() >= deadline:
                        return []

        return Poller()

    # -- control --

    def control_loop(self):
        for line in sys.stdin:
            line = line.strip()
            if line:
                with self.lock:
                    self.commands.append(line)
                os.write(self.ctl_w, b"x")
        with self.lock:
            self.commands.append('{"cmd": "exit"}')
        os.write(self.ctl_w, b"x")

    def run_commands(self):
        with self.lock:
            todo, self.commands = self.commands, []
        for line in todo:
            try:
                cmd = json.loads(line)
                answer = self.command(cmd)
            except (Reset, SystemExit):
                raise
            except Exception as e:
                answer = {"ok": False, "error": repr(e)}
            self.answer(answer)

    @staticmethod
    def answer(obj):
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    def command(self, c):
        w = machine.WORLD
        name = c["cmd"]
        if name == "adc":
            w.adc[c["pin"]] = c["count"]
        elif name == "input":
            if c.get("level") is None:
                w.inputs.pop(c["pin"], None)
            else:
                w.inputs[c["pin"]] = c["level"]
        elif name == "i2c_chip":
            w.chips[(c["bus"], c["addr"])] = machine.I2cChip(bytes.fromhex(c.get("regs", "")), c.get("fault"))
        elif name == "i2c_regs":
            chip = w.chips[(c["bus"], c["addr"])]
            return {"ok": True, "regs": chip.regs.hex(), "writes": chip.writes}
        elif name == "state":
            return {"ok": True, "boot_id": self.boot_id,
                    "pins": {str(k): v for k, v in w.pins.items()},
                    "pwm": {str(k): v for k, v in w.pwm.items()},
                    "buses": {str(k): v for k, v in w.buses.items()},
                    "stats": list(self.bridge.stats)}
        elif name == "mute":
            self.muted = bool(c["on"])
        elif name == "mute_pushes":
            self.pushes_muted = bool(c["on"])
        elif name == "corrupt_tx":
            self.corrupt_tx = c.get("frames", 1)
        elif name == "corrupt_rx":
            self.corrupt_rx = c.get("frames", 1)
        elif name == "split_tx":
            self.split_tx = c.get("frames", 1)
            self.split_gap = c.get("gap_ms", 40) / 1000.0
        elif name == "garbage":
            self.raw(bytes.fromhex(c["hex"]))
        elif name == "reset":
            boot_id = new_boot_id()
            self.answer({"ok": True, "boot_id": boot_id})
            raise Reset(c.get("cause", machine.PWRON_RESET), boot_id, c.get("truncate", False))
        elif name == "exit":
            self.answer({"ok": True})
            raise SystemExit(0)
        else:
            return {"ok": False, "error": "unknown command " + name}
        return {"ok": True}

    # -- main loop --

    def run(self):
        threading.Thread(target=self.control_loop, name="control", daemon=True).start()
        port = fb.StreamPort(self.stream, self.stream, self.poller())
        read = port.read

        def tapped(timeout_ms):
            return self.tap(read(timeout_ms))

        port.read = tapped
        cause = machine.WORLD.reset_cause
        first = True
        while True:
            self.bridge = fb.Bridge(machine, self.send, self.chip, self.boot_id, cause)
            if first:
                self.answer({"ready": True, "boot_id": self.boot_id, "chip": self.chip})
                first = False
            try:
                fb.serve(self.bridge, port)
                return 0
            except Reset as r:
                if r.truncate:   # the reset cut a frame off on its way out
                    whole = fb.frame(fb.READINGS, 0, b"\x01\x00\x02\x00\x01\xff\x0f")
                    self.raw(whole[:len(whole) // 2])
                self.deferred = [(0, d) for (_, d) in self.deferred]
                self.flush_deferred()
                self.rx_frame = bytearray()
                self.muted = self.pushes_muted = False
                self.corrupt_tx = self.corrupt_rx = self.split_tx = 0
                machine.WORLD.power_cycle(r.cause)
                cause = r.cause
                self.boot_id = r.boot_id
                self.raw(BOOT_LOG)
            except Unplugged:
                sys.stderr.write("esp32_sim: port closed (unplugged)\n")
                return 0


def new_boot_id():
    return int.from_bytes(os.urandom(4), "little") or 1


def main(argv):
    args = list(argv)
    if not args or args[0] in ("-h", "--help"):
        sys.stderr.write("usage: esp32_sim.py PORT [--chip esp32|esp32s3] [--boot-id N]\n")
        return 2
    port = args.pop(0)
    chip = "esp32"
    boot_id = new_boot_id()
    while args:
        opt = args.pop(0)
        if opt == "--chip":
            chip = args.pop(0)
        elif opt == "--boot-id":
            boot_id = int(args.pop(0))
        else:
            sys.stderr.write("unknown option " + opt + "\n")
            return 2
    if chip not in fb.CHIPS:
        sys.stderr.write("unknown chip %s (known: %s)\n" % (chip, ", ".join(sorted(fb.CHIPS))))
        return 2
    return Simulator(port, chip, boot_id).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

# Fieldline ESP32 bridge: runs at boot (MicroPython executes main.py after boot.py).
# Copy this file and fieldline_bridge.py to the board's filesystem. From then on the USB serial
# line speaks the bridge protocol (docs/esp32-bridge.md) instead of the REPL. To get the REPL back,
# send an EXIT request (docs/esp32-bridge.md, section 4) and use mpremote; Ctrl-C is disabled while the
# bridge runs, because 0x03 is an ordinary byte inside a frame.
import os
import sys

import machine
import micropython
import select

try:
    import ustruct as struct
except ImportError:
    import struct

import fieldline_bridge as fb


def new_boot_id():
    try:
        return struct.unpack("<I", os.urandom(4))[0] or 1
    except AttributeError:   # a port without os.urandom
        import random
        import time
        return (random.getrandbits(32) ^ time.ticks_us()) & 0xFFFFFFFF or 1


def main():
    chip = fb.chip_of(os.uname().machine)
    boot_id = new_boot_id()
    firmware = "%s; MicroPython %s" % (fb.FIRMWARE, ".".join([str(v) for v in sys.implementation.version[:3]]))
    poller = select.poll()
    poller.register(sys.stdin, select.POLLIN)
    port = fb.StreamPort(sys.stdin.buffer, sys.stdout.buffer, poller)
    bridge = fb.Bridge(machine, port.write, chip, boot_id, machine.reset_cause(), firmware)
    micropython.kbd_intr(-1)
    try:
        fb.serve(bridge, port)
    finally:
        micropython.kbd_intr(3)


main()

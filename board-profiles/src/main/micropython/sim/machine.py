# A fake MicroPython `machine` module, so that the Fieldline bridge runs under CPython (tests and
# the host simulator esp32_sim.py). Only what the bridge uses, with the ESP32 port's constants and
# error numbers. The simulated world lives in WORLD: input levels and ADC counts a test sets,
# what the bridge drives on outputs and PWM, and I2C chips with register maps.
import errno

PWRON_RESET = 1
HARD_RESET = 2
WDT_RESET = 3
DEEPSLEEP_RESET = 4
SOFT_RESET = 5


class I2cChip:
    """A register-mapped I2C chip: 256 8-bit registers; reads and writes auto-increment."""

    def __init__(self, regs=b"", fault=None):
        self.regs = bytearray(256)
        self.regs[0:len(regs)] = regs
        self.fault = fault   # None, "nack", "timeout" or "io"
        self.writes = 0

    def check(self):
        if self.fault == "nack":
            raise OSError(errno.ENODEV)
        if self.fault == "timeout":
            raise OSError(errno.ETIMEDOUT)
        if self.fault == "io":
            raise OSError(errno.EIO)


class World:
    def __init__(self):
        self.reset_cause = PWRON_RESET
        self.inputs = {}    # pin -> level driven from outside (0/1); absent: floating
        self.adc = {}       # pin -> count of a 12-bit conversion
        self.pins = {}      # pin -> {"mode": ..., "pull": ..., "value": ...}
        self.pwm = {}       # pin -> {"freq": Hz, "duty_u16": 0..65535}
        self.buses = {}     # I2C controller -> {"scl": pin, "sda": pin, "freq": Hz}
        self.chips = {}     # (controller, address) -> I2cChip

    def power_cycle(self, cause):
        """What a reset of the ESP32 does: its pins float again; attached chips keep their state."""
        self.reset_cause = cause
        self.pins.clear()
        self.pwm.clear()
        self.buses.clear()


WORLD = World()


def reset_cause():
    return WORLD.reset_cause


class Pin:
    IN = 1
    OUT = 3
    OPEN_DRAIN = 7
    PULL_DOWN = 1
    PULL_UP = 2

    def __init__(self, id, mode=-1, pull=-1, value=None):
        self.id = id
        if mode != -1:
            self.init(mode, pull, value)

    def init(self, mode=-1, pull=-1, value=None):
        st = WORLD.pins.setdefault(self.id, {"mode": Pin.IN, "pull": None, "value": 0})
        if mode != -1:
            st["mode"] = mode
        if pull != -1:
            st["pull"] = pull
        if value is not None:
            st["value"] = 1 if value else 0

    def value(self, v=None):
        st = WORLD.pins.get(self.id)
        if v is not None:
            if st is None:
                raise OSError(errno.EINVAL)
            st["value"] = 1 if v else 0
            return None
        if st is not None and st["mode"] == Pin.OUT:
            return st["value"]
        ext = WORLD.inputs.get(self.id)
        if st is not None and st["mode"] == Pin.OPEN_DRAIN:
            return 0 if st["value"] == 0 else (1 if ext is None else ext)
        if ext is not None:
            return ext
        return 1 if st is not None and st["pull"] == Pin.PULL_UP else 0

    __call__ = value

    def on(self):
        self.value(1)

    def off(self):
        self.value(0)


class ADC:
    ATTN_0DB = 0
    ATTN_2_5DB = 1
    ATTN_6DB = 2
    ATTN_11DB = 3

    def __init__(self, pin, atten=None):
        self.pin = pin.id
        WORLD.pins[self.pin] = {"mode": "adc", "pull": None, "value": 0,
                                "atten": ADC.ATTN_0DB if atten is None else atten}

    def atten(self, a):
        WORLD.pins[self.pin]["atten"] = a

    def read_u16(self):
        # the ESP32 port scales the 12-bit conversion to 16 bits
        return WORLD.adc.get(self.pin, 0) * 65535 // 4095

    def read(self):
        return WORLD.adc.get(self.pin, 0)


class PWM:
    def __init__(self, pin, freq=5000, duty_u16=32768):
        self.pin = pin.id
        WORLD.pins[self.pin] = {"mode": "pwm", "pull": None, "value": 0}
        WORLD.pwm[self.pin] = {"freq": freq, "duty_u16": duty_u16}

    def freq(self, f=None):
        if f is None:
            return WORLD.pwm[self.pin]["freq"]
        WORLD.pwm[self.pin]["freq"] = f

    def duty_u16(self, d=None):
        if d is None:
            return WORLD.pwm[self.pin]["duty_u16"]
        WORLD.pwm[self.pin]["duty_u16"] = d

    def deinit(self):
        WORLD.pwm.pop(self.pin, None)


class I2C:
    def __init__(self, id, scl=None, sda=None, freq=400000):
        self.id = id
        WORLD.buses[id] = {"scl": scl.id, "sda": sda.id, "freq": freq}

    def _chip(self, addr):
        chip = WORLD.chips.get((self.id, addr))
        if chip is None:
            raise OSError(errno.ENODEV)
        chip.check()
        return chip

    def readfrom_mem(self, addr, memaddr, nbytes):
        chip = self._chip(addr)
        return bytes(chip.regs[(memaddr + i) & 0xFF] for i in range(nbytes))

    def writeto_mem(self, addr, memaddr, buf):
        chip = self._chip(addr)
        for i in range(len(buf)):
            chip.regs[(memaddr + i) & 0xFF] = buf[i]
        chip.writes += 1

    def scan(self):
        return sorted(a for (bus, a) in WORLD.chips if bus == self.id)

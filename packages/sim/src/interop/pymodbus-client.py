"""A pymodbus TCP client (Debian's python3-pymodbus, 3.0) against the simulated plant's Modbus PLC.

Run by pymodbus-client.test.ts as `PYENV_VERSION=system python3 pymodbus-client.py PORT SETPOINT`.
Reads every table of both unit ids, decodes the 32-bit values with Python's struct (an
implementation independent of the sim's), writes a setpoint, tries an out-of-range setpoint,
switches a coil, and prints one JSON object on stdout. Any failure exits non-zero with the reason
on stderr.
"""
import inspect
import json
import struct
import sys

from pymodbus.client import ModbusTcpClient

port = int(sys.argv[1])
setpoint = float(sys.argv[2])

client = ModbusTcpClient("127.0.0.1", port=port, timeout=3, retries=0)
if not client.connect():
    sys.exit(f"pymodbus could not connect to 127.0.0.1:{port}")

# The unit id keyword changed across pymodbus versions: unit (2.x), slave (3.0-3.8), device_id (3.9+).
_params = inspect.signature(client.read_holding_registers).parameters
UNIT_KW = next(k for k in ("device_id", "slave", "unit") if k in _params)


def call(method, *args, unit):
    """Call a client method for a unit id; an exception answer is returned as {"exception": code}."""
    response = getattr(client, method)(*args, **{UNIT_KW: unit})
    if response.isError():
        code = getattr(response, "exception_code", None)
        if code is None:
            sys.exit(f"{method}{args} unit {unit}: {response}")
        return {"exception": code}
    return response


def float_cdab(words):
    """float32 with the low word first (the plant's default word order)."""
    return struct.unpack(">f", struct.pack(">HH", words[1], words[0]))[0]


def uint32_cdab(words):
    return struct.unpack(">I", struct.pack(">HH", words[1], words[0]))[0]


def float_abcd(words):
    return struct.unpack(">f", struct.pack(">HH", words[0], words[1]))[0]


def words_cdab(value):
    high, low = struct.unpack(">HH", struct.pack(">f", value))
    return [low, high]


result = {"version": __import__("pymodbus").__version__, "units": {}}
for unit in (1, 2):
    holding = call("read_holding_registers", 0, 12, unit=unit).registers
    inputs = call("read_input_registers", 0, 4, unit=unit).registers
    coils = call("read_coils", 0, 2, unit=unit).bits[:2]
    discrete = call("read_discrete_inputs", 0, 2, unit=unit).bits[:2]
    result["units"][str(unit)] = {
        "holding": holding,
        "input": inputs,
        "coil": coils,
        "discrete": discrete,
        "decoded": {
            "Temperature": float_cdab(holding[0:2]),
            "PartCount": uint32_cdab(holding[2:4]),
            "State": holding[4],
            "Setpoint": float_cdab(holding[10:12]),
            "Pressure": struct.unpack(">h", struct.pack(">H", inputs[0]))[0] / 100,
            "Speed": inputs[1],
            "Vibration": float_abcd(inputs[2:4]),
        },
    }

# FC16 write of unit 1's setpoint, read back over the wire.
written = call("write_registers", 10, words_cdab(setpoint), unit=1)
result["write"] = written if isinstance(written, dict) else {"ok": True}
result["readBack"] = float_cdab(call("read_holding_registers", 10, 2, unit=1).registers)
# Out of the setpoint's range (0..150): exception 3, nothing written.
result["outOfRange"] = call("write_registers", 10, words_cdab(151.0), unit=1)
# A read-only register (State, address 4): exception 2.
result["readOnly"] = call("write_register", 4, 1, unit=1)
# FC5 on unit 2's Enable coil.
call("write_coil", 0, False, unit=2)
result["enable2"] = call("read_coils", 0, 1, unit=2).bits[0]
# A unit id without tags: exception 11 (gateway target failed to respond).
result["unit3"] = call("read_holding_registers", 0, 1, unit=3)

client.close()
print(json.dumps(result))

"""A pymodbus 3.0 Modbus TCP server with known values, for the interop test (pymodbus-interop.test.ts).

Prints "LISTENING <port>" once it accepts connections on 127.0.0.1 (an ephemeral port), then
serves until killed. Register contents are built with struct, independently of our codec.
Run as `PYENV_VERSION=system python3 pymodbus-server.py` (STACK.md G12).
"""
import asyncio
import struct

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncTcpServer


def words(fmt, value):
    b = struct.pack(">" + fmt, value)
    return [int.from_bytes(b[i:i + 2], "big") for i in range(0, len(b), 2)]


def unit1():
    hr = [0] * 100
    hr[0:2] = words("f", 123.5)                      # float32 ABCD
    w = words("f", -7.25)
    hr[2:4] = [w[1], w[0]]                           # float32 CDAB
    hr[4:6] = words("I", 4000000000)                 # uint32 ABCD
    hr[6] = words("h", -1234)[0]                     # int16
    text = b"PLANT\0"
    hr[10:13] = [int.from_bytes(text[i:i + 2], "big") for i in range(0, 6, 2)]  # string(6)
    hr[20:24] = words("d", 3.141592653589793)        # float64 ABCD
    hr[30:34] = list(reversed(words("q", -9007199254740991)))  # int64 CDAB
    b = struct.pack(">f", 1.5)
    hr[40:42] = [int.from_bytes(bytes([b[1], b[0]]), "big"), int.from_bytes(bytes([b[3], b[2]]), "big")]  # float32 BADC
    b = struct.pack("<f", 2.25)
    hr[42:44] = [int.from_bytes(b[0:2], "big"), int.from_bytes(b[2:4], "big")]  # float32 DCBA
    hr[44] = 2150                                    # uint16, ×0.1 − 200 → 15.0
    ir = [111, 222] + [0] * 98
    co = [True, False, True] + [False] * 97
    di = [False, True] + [False] * 98
    return ModbusSlaveContext(
        di=ModbusSequentialDataBlock(0, di),
        co=ModbusSequentialDataBlock(0, co),
        hr=ModbusSequentialDataBlock(0, hr),
        ir=ModbusSequentialDataBlock(0, ir),
        zero_mode=True,
    )


def unit2():
    hr = [2222] + [0] * 99
    return ModbusSlaveContext(
        di=ModbusSequentialDataBlock(0, [False] * 100),
        co=ModbusSequentialDataBlock(0, [False] * 100),
        hr=ModbusSequentialDataBlock(0, hr),
        ir=ModbusSequentialDataBlock(0, [0] * 100),
        zero_mode=True,
    )


async def main():
    context = ModbusServerContext(slaves={1: unit1(), 2: unit2()}, single=False)
    server = await StartAsyncTcpServer(context=context, address=("127.0.0.1", 0), defer_start=True)
    task = asyncio.create_task(server.serve_forever())
    await server.serving
    port = server.server.sockets[0].getsockname()[1]
    print(f"LISTENING {port}", flush=True)
    await task


asyncio.run(main())

"""A pymodbus 3.0 Modbus TCP server for the source/sink conformance suite (modbus.conformance.test.ts).

Usage: `PYENV_VERSION=system python3 pymodbus-conformance-server.py <port>` (port 0 = any free one).
Prints "LISTENING <port>" once it accepts connections on 127.0.0.1, then serves until killed. Every
unit id sees the same 100 zeroed registers and coils of each table, all writable; an address past
them answers exception 2 (illegal data address). Restarting on the same port needs an explicit port.
"""
import asyncio
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncTcpServer


async def main(port):
    unit = ModbusSlaveContext(
        di=ModbusSequentialDataBlock(0, [False] * 100),
        co=ModbusSequentialDataBlock(0, [False] * 100),
        hr=ModbusSequentialDataBlock(0, [0] * 100),
        ir=ModbusSequentialDataBlock(0, [0] * 100),
        zero_mode=True,
    )
    context = ModbusServerContext(slaves=unit, single=True)
    # allow_reuse_address: a restart binds the same port while the old connections are in TIME_WAIT
    # (pymodbus 3.0 only logs a failed bind and never starts serving).
    server = await StartAsyncTcpServer(context=context, address=("127.0.0.1", port), allow_reuse_address=True, defer_start=True)
    task = asyncio.create_task(server.serve_forever())
    await server.serving
    print(f"LISTENING {server.server.sockets[0].getsockname()[1]}", flush=True)
    await task


asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 0))

"""A pymodbus Modbus TCP server that counts the read requests it answers, for bench/protocols/modbus-poll.ts.

Usage: PYENV_VERSION=system python3 pymodbus-bench-server.py '<layout json>'
  layout: {"units": [{"id": 1, "holding": 200, "input": 0, "coil": 0, "discrete": 0}, ...], "burstGapMs": 40}
  (table sizes in registers or bits, from address 0; every address of a table answers).

Prints "LISTENING <port>" once it accepts connections on 127.0.0.1 (an ephemeral port). Then, for
each line "stats" on stdin, prints one line "STATS <json>":
  {"t": <monotonic s>, "reads": <read requests answered since start>,
   "bursts": [<requests per burst>, ...], "idleMs": <ms since the last request, -1 before the first>}
where a burst is a run of requests with no pause longer than burstGapMs between two of them (one
poll cycle of a poller with a longer interval); only bursts that ended, reported once each.
Runs until killed or until stdin closes.
"""
import asyncio
import json
import sys
import threading
import time

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncTcpServer

layout = json.loads(sys.argv[1])
burst_gap = float(layout.get("burstGapMs", 40)) / 1000.0

lock = threading.Lock()
reads = 0
burst_size = 0
burst_last = 0.0
closed_bursts = []


def record_read():
    global reads, burst_size, burst_last
    now = time.monotonic()
    with lock:
        reads += 1
        if burst_size and now - burst_last > burst_gap:
            closed_bursts.append(burst_size)
            burst_size = 0
        burst_size += 1
        burst_last = now


class CountingBlock(ModbusSequentialDataBlock):
    """A data block whose reads are counted: pymodbus calls getValues once per read request."""

    def getValues(self, address, count=1):
        record_read()
        return super().getValues(address, count)


def block(size, bits):
    # A table of size 0 still needs a block; one entry that no request of the bench touches.
    n = max(1, int(size))
    return CountingBlock(0, [False] * n if bits else [0] * n)


def unit_context(u):
    return ModbusSlaveContext(
        hr=block(u.get("holding", 0), False),
        ir=block(u.get("input", 0), False),
        co=block(u.get("coil", 0), True),
        di=block(u.get("discrete", 0), True),
        zero_mode=True,
    )


def stats_line():
    global burst_size
    now = time.monotonic()
    with lock:
        if burst_size and now - burst_last > burst_gap:
            closed_bursts.append(burst_size)
            burst_size = 0
        bursts = list(closed_bursts)
        closed_bursts.clear()
        total = reads
        idle_ms = (now - burst_last) * 1000.0 if reads else -1
    return "STATS " + json.dumps({"t": now, "reads": total, "bursts": bursts, "idleMs": idle_ms})


def serve_stdin():
    for line in sys.stdin:
        if line.strip() == "stats":
            print(stats_line(), flush=True)
    # stdin closed: the parent is gone.
    import os
    os._exit(0)


async def main():
    context = ModbusServerContext(slaves={int(u["id"]): unit_context(u) for u in layout["units"]}, single=False)
    server = await StartAsyncTcpServer(context=context, address=("127.0.0.1", 0), defer_start=True)
    task = asyncio.create_task(server.serve_forever())
    await server.serving
    port = server.server.sockets[0].getsockname()[1]
    threading.Thread(target=serve_stdin, daemon=True).start()
    print(f"LISTENING {port}", flush=True)
    await task


asyncio.run(main())

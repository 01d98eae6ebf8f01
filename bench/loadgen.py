"""A small closed-loop HTTP/1.1 load generator (asyncio, keep-alive) for bench/checkin_load.py.

Unlike wrk it makes a fresh body per request (a new client_id for every check-in) and, when the
time is up, waits for the answers still in flight, so that every request sent is accounted for.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Run:
    """What one run saw."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    socket_errors: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0
    answered: list[tuple[int, bytes]] = field(
        default_factory=list
    )  # (status, body) kept when asked

    def summary(self) -> dict:
        done = sorted(self.latencies)

        def pct(p: float) -> float:
            return done[min(len(done) - 1, int(p * len(done)))] * 1000 if done else 0.0

        ok = sum(n for status, n in self.statuses.items() if 200 <= status < 300)
        return {
            "requests": len(done),
            "rps": len(done) / self.wall_s if self.wall_s else 0.0,
            "p50_ms": pct(0.50),
            "p99_ms": pct(0.99),
            "max_ms": done[-1] * 1000 if done else 0.0,
            "ok": ok,
            "errors": len(done) - ok + self.socket_errors,
            "statuses": dict(self.statuses),
            "loadgen_cpu": self.cpu_s / self.wall_s if self.wall_s else 0.0,
        }


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0][9:12])
    length, close = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection" and value.strip().lower() == b"close":
            close = True
    body = await reader.readexactly(length) if length else b""
    return status, body, close


async def _connection(
    host: str, port: int, make: Callable[[], bytes], deadline: float, run: Run, keep_bodies: bool
) -> None:
    reader = writer = None
    while time.perf_counter() < deadline:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            request = make()
            start = time.perf_counter()
            writer.write(request)
            status, body, close = await asyncio.wait_for(_read_response(reader), timeout=30)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            run.socket_errors += 1
            if writer is not None:
                writer.close()
            writer = None
            continue
        run.latencies.append(time.perf_counter() - start)
        run.statuses[status] += 1
        if keep_bodies:
            run.answered.append((status, body))
        if close:
            writer.close()
            writer = None
    if writer is not None:
        writer.close()


def run_load(
    host: str,
    port: int,
    make: Callable[[], bytes],
    connections: int,
    seconds: float,
    keep_bodies: bool = False,
) -> Run:
    """Keep `connections` requests in flight for `seconds`; then let the last ones finish."""
    run = Run()

    async def main():
        deadline = time.perf_counter() + seconds
        await asyncio.gather(
            *(_connection(host, port, make, deadline, run, keep_bodies) for _ in range(connections))
        )

    wall, cpu = time.perf_counter(), time.process_time()
    asyncio.run(main())
    run.wall_s, run.cpu_s = time.perf_counter() - wall, time.process_time() - cpu
    return run

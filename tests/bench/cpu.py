"""Where a benchmark's CPU went: per part of the stack, read from /proc (Linux only).

`take()` before and after the measured window; `spent(before, after, seconds, holds)` gives
how busy the machine's cores were and the CPU milliseconds per hold of each part: the web
server (gunicorn), PostgreSQL, Redis, the benchmark's own client threads, and the rest.
On a machine without /proc it returns nothing, and the bench prints no breakdown.
"""

import os
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PARTS = ("web", "postgres", "redis", "clients", "other")


def _part(pid: str, command: str) -> str:
    if int(pid) == os.getpid():
        return "clients"
    if "gunicorn" in command:
        return "web"
    if command.startswith("postgres") or "/postgres " in command or "/bin/postgres" in command:
        return "postgres"
    if "redis-server" in command:
        return "redis"
    return "other"


def _switches(entry: Path) -> int:
    """Context switches so far, voluntary and not, summed over the process's threads."""
    total = 0
    for task in (entry / "task").iterdir():
        for line in (task / "status").read_text().splitlines():
            if "ctxt_switches:" in line:
                total += int(line.split()[1])
    return total


def _processes() -> dict[str, tuple[str, float, int]]:
    """pid -> (part, CPU seconds so far, context switches so far) for every process
    readable now."""
    found = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace")
            switches = _switches(entry)
        except OSError:  # gone while we looked
            continue
        found[entry.name] = (_part(entry.name, command),
                             (int(fields[11]) + int(fields[12])) / TICKS, switches)
    return found


def _machine_busy() -> float:
    """CPU seconds all cores have spent not idle since boot."""
    fields = [int(x) for x in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / TICKS  # less idle and iowait


def take():
    if not (PROC / "stat").exists():
        return None
    return _machine_busy(), _processes()


def spent(before, after, seconds: float, holds: int) -> dict:
    """{"busy_cores": .., "cpu_ms_per_hold": {part: ms}, "switches_per_hold": {part: n}}
    between two take()s."""
    if before is None or after is None or not holds or seconds <= 0:
        return {}
    per_part = dict.fromkeys(PARTS, 0.0)
    switches = dict.fromkeys(PARTS, 0)
    for pid, (part, cpu, switched) in after[1].items():
        _, cpu_then, switched_then = before[1].get(pid, (part, 0.0, 0))
        per_part[part] += cpu - cpu_then
        switches[part] += switched - switched_then
    machine = after[0] - before[0]
    # What no process we could read accounts for (the kernel, processes that exited).
    per_part["other"] += max(0.0, machine - sum(per_part.values()))
    return {"busy_cores": round(machine / seconds, 2),
            "cpu_ms_per_hold": {part: round(cpu * 1000 / holds, 2)
                                for part, cpu in per_part.items()},
            "switches_per_hold": {part: round(n / holds, 1) for part, n in switches.items()}}

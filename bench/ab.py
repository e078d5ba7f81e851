"""Times two command lines against each other, alternating, as processes (no shell).

The machine's speed drifts by a third within minutes, so two binaries are only comparable when timed
back to back; this alternates A and B (ABBA order) and prints each one's median and mean wall time
and median CPU time (user + system). "{i}" in an argument becomes a run number, so that commands such
as `record run --name r{i}` do not repeat themselves.

    python3 bench/ab.py RUNS COMMAND-A... -- COMMAND-B...
    python3 bench/ab.py 200 old/lineage record run --store a/.lineage --name r{i} -- \\
                            new/lineage record run --store b/.lineage --name r{i}
"""

import os
import statistics
import sys
import time


def main():
    if len(sys.argv) < 5 or "--" not in sys.argv[2:]:
        sys.exit(__doc__)
    runs, rest = int(sys.argv[1]), sys.argv[2:]
    split = rest.index("--")
    commands = [rest[:split], rest[split + 1:]]
    wall, cpu = [[], []], [[], []]
    devnull = os.open(os.devnull, os.O_WRONLY)
    for i in range(runs):
        for j in (0, 1) if i % 2 == 0 else (1, 0):
            args = [a.replace("{i}", "%s%d" % ("ab"[j], i)) for a in commands[j]]
            start = time.perf_counter()
            pid = os.posix_spawnp(args[0], args, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
            _, status, usage = os.wait4(pid, 0)
            wall[j].append(time.perf_counter() - start)
            cpu[j].append(usage.ru_utime + usage.ru_stime)
            if status != 0:
                sys.exit("%s exited with status %d" % (" ".join(args), os.waitstatus_to_exitcode(status)))
    for j in (0, 1):
        print("%s: median %.2f ms, mean %.2f ms, CPU median %.2f ms" % (
            "AB"[j], statistics.median(wall[j]) * 1000, statistics.mean(wall[j]) * 1000, statistics.median(cpu[j]) * 1000))


if __name__ == "__main__":
    main()

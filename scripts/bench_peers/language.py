"""`scripts/bench language`: bm against CPython 3 and Lua 5.4 on the same small programs, timed in the same run
(wall time of the whole process, best of 3), plus bm's start-up time (`bm -e 1`, best of 20, wall clock).

Usage: python3 scripts/bench_peers/language.py PATH/TO/bm
"""
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "language")
PROGRAMS = ["loop", "range_loop", "fib", "list"]


def best_time(command, repeats=3):
    """Best of `repeats` runs of the wall time of the whole process. BM_BENCH_CPU=1 takes CPU time (user + system)
    instead, steadier on a loaded machine but unfair to bm: OpenBLAS's idle worker threads spin for about 0.1 s
    after start-up, which costs CPU but no wall time on a machine with a free core."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        if status != 0:
            raise SystemExit(f"{command} failed with status {status}")
        wall = time.perf_counter() - start
        best = min(best, usage.ru_utime + usage.ru_stime if os.environ.get("BM_BENCH_CPU") else wall)
    return best


def main():
    bm = sys.argv[1]
    lua = shutil.which("lua5.4") or shutil.which("lua")
    # Debian's CPython (the peer the issue names), else whatever runs this script.
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    python_version = subprocess.run([python, "--version"], capture_output=True, text=True).stdout.split()[-1]
    print(f"{'program':12} {'bm (s)':>8} {'python (s)':>11} {'lua (s)':>8} {'python/bm':>10} {'lua/bm':>7}")
    rows = []
    for name in PROGRAMS:
        bm_time = best_time([bm, os.path.join(HERE, name + ".bm")])
        python_time = best_time([python, os.path.join(HERE, name + ".py")])
        lua_time = best_time([lua, os.path.join(HERE, name + ".lua")]) if lua else float("nan")
        rows.append({"name": name, "bm": bm_time, "python": python_time, "lua": lua_time})
        print(f"{name:12} {bm_time:8.3f} {python_time:11.3f} {lua_time:8.3f} {python_time / bm_time:10.2f} "
              f"{lua_time / bm_time:7.2f}")
    os.environ.pop("BM_BENCH_CPU", None)
    startup = best_time([bm, "-e", "1"], repeats=20)
    print(f"bm -e 1 start-up: {startup * 1000:.1f} ms (target <= 30 ms)")
    print(f"(peers: CPython {python_version} at {python}, {lua or 'no lua'}; ratios above 1: bm faster)")
    rows.append({"name": "startup", "bm": startup})
    with open("bench-results.json", "w") as file:
        json.dump(rows, file)


if __name__ == "__main__":
    main()

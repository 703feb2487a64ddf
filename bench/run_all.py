"""Every benchmark, one after another, and one Markdown table of their results (``make bench``).

    python -m bench.run_all            # national scale: 1,000,000 register citizens and dossiers
    python -m bench.run_all --quick    # the same set at 1/100 of the scale, in a few minutes
    python -m bench.run_all --only load growth

Each benchmark is run as its own process (``python -m bench.<name> …``); its whole output goes to
``bench/results/<name>.txt`` and the lines it marks ``result:`` (:func:`bench.common.report`)
to the table in ``bench/results/summary.md``, which the README quotes. Data sets are reused
between runs when they already have the asked size, so a second run is much quicker.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from bench.common import machine

RESULTS = Path(__file__).resolve().parent / "results"
PG = "postgresql+psycopg:///"


def plan(quick: bool) -> dict[str, list[str]]:
    people = 10_000 if quick else 1_000_000
    dossiers = 10_000 if quick else 1_000_000
    seconds = "10" if quick else "30"
    return {
        "deadlines": [],
        "registry_lookup": ["--database-url", PG + "bench_registry", "--count", str(people)],
        "slip_render": ["--count", "20" if quick else "50"],
        "submissions": ["--clients", "16", "--count", "800" if quick else "4000", "--database-url", PG + "bench_portal"],
        "stats_dashboard": ["--database-url", PG + f"bench_dossiers_{dossiers}", "--count", str(dossiers)],
        "growth": ["--sizes", *(["1000", "10000"] if quick else ["10000", "100000", "1000000"])],
        "load": ["--database-url", PG + f"bench_dossiers_{dossiers}", "--dossiers", str(dossiers),
                 "--register", str(people), "--seconds", seconds, *([] if quick else ["--soak", "300"])],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these benchmarks")
    args = parser.parse_args(argv)
    RESULTS.mkdir(exist_ok=True)

    rows: list[tuple[str, str, str, str]] = []
    for name, extra in plan(args.quick).items():
        if args.only and name not in args.only:
            continue
        command = [sys.executable, "-m", f"bench.{name}", *extra]
        print(f"== {' '.join(command[1:])}", flush=True)
        started = time.perf_counter()
        run = subprocess.run(command, capture_output=True, text=True, check=False)
        output = run.stdout + (f"\n[exit status {run.returncode}]\n{run.stderr[-3000:]}" if run.returncode else "")
        (RESULTS / f"{name}.txt").write_text(output, encoding="utf-8")
        print(output, flush=True)
        found = [line.removeprefix("result: ").split(" | ") for line in run.stdout.splitlines()
                 if line.startswith("result: ")]
        if run.returncode:
            found.append([f"{name} failed (exit {run.returncode})", f"see bench/results/{name}.txt", ""])
        rows += [(name, *cells) for cells in found]
        print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)

    lines = [f"Measured on {machine()}{' — quick scale' if args.quick else ''}.", "",
             "| benchmark | measure | figure | target |", "|---|---|---|---|"]
    lines += [f"| {name} | {measure} | {figure} | {target} |" for name, measure, figure, target in rows]
    summary = "\n".join(lines) + "\n"
    (RESULTS / "summary.md").write_text(summary, encoding="utf-8")
    print(summary)


if __name__ == "__main__":
    main()

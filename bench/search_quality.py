#!/usr/bin/python3
"""Search quality at equal cost: runs paretonas' search methods and the Optuna peer
(bench/optuna_peer.py) on the same Fashion-MNIST subset with the same epochs per trial,
objectives (validation error, parameters) and wall-clock budget, one after the other in one
invocation, and reports the hypervolume of each front at 25/50/75/100% of the budget against
one shared reference point, over several seeds.

The hypervolume is taken in (validation error, log10 parameters), as paretonas reports it, with
the reference point (1, 8): error 1, 1e8 parameters. For paretonas a front counts from the end
of the generation that produced it (the run store records generations, not single candidates),
which can only understate paretonas at a given time; for Optuna from the second its trial ended.

  bench/search_quality.py --budget 20m --seeds 0,1,2 --out bench/results/search_quality
"""
import argparse
import json
import math
import os
import sqlite3
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE = (1.0, 8.0)
FRACTIONS = (0.25, 0.5, 0.75, 1.0)


def seconds(text):
    units = {"s": 1, "m": 60, "h": 3600}
    return float(text[:-1]) * units[text[-1]] if text[-1] in units else float(text)


def hypervolume(points):
    """2-D hypervolume of minimised points against REFERENCE (points beyond it count nothing)."""
    inside = sorted((c, e) for e, c in points if e < REFERENCE[0] and c < REFERENCE[1])
    # Sweep by cost: between two costs, the dominated height is set by the lowest error so far.
    area, min_error = 0.0, REFERENCE[0]
    for i, (cost, error) in enumerate(inside):
        min_error = min(min_error, error)
        next_cost = inside[i + 1][0] if i + 1 < len(inside) else REFERENCE[1]
        area += (REFERENCE[0] - min_error) * (next_cost - cost)
    return area


def paretonas_curve(run_dir):
    """[(seconds, hypervolume)] after each generation of a paretonas run."""
    db = sqlite3.connect(f"file:{os.path.join(run_dir, 'run.db')}?mode=ro", uri=True)
    objectives = {i: (e, math.log10(max(p, 1))) for i, e, p in db.execute("SELECT id, val_error, params FROM candidates WHERE status='done'")}
    curve = []
    for front, secs in db.execute("SELECT front, seconds FROM generations ORDER BY generation"):
        curve.append((secs, hypervolume([objectives[i] for i in json.loads(front) if i in objectives])))
    return curve, len(objectives)


def optuna_curve(path):
    trials = json.load(open(path))["trials"]
    curve, seen = [], []
    for t in sorted(trials, key=lambda t: t["finished_seconds"]):
        seen.append((t["val_error"], math.log10(max(t["parameters"], 1))))
        curve.append((t["finished_seconds"], hypervolume(seen)))
    return curve, len(trials)


def at(curve, t):
    values = [hv for s, hv in curve if s <= t]
    return values[-1] if values else 0.0


def run(command, log):
    print("+", " ".join(command), flush=True)
    with open(log, "w") as f:
        subprocess.run(command, check=True, stdout=f, stderr=subprocess.STDOUT)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--budget", default="20m")
    p.add_argument("--seeds", default="0")
    p.add_argument("--methods", default="lemonade,nsga2,random,optuna")
    p.add_argument("--subset", type=int, default=15000)
    p.add_argument("--val", type=int, default=5000)
    p.add_argument("--population", type=int, default=16)
    p.add_argument("--paretonas", default=os.path.join(ROOT, "build", "paretonas"))
    p.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "search_quality"))
    p.add_argument("--report-only", action="store_true", help="only read the runs already in --out")
    a = p.parse_args()
    budget = seconds(a.budget)
    os.makedirs(a.out, exist_ok=True)
    results = {}
    for seed in [int(s) for s in a.seeds.split(",")]:
        for method in a.methods.split(","):
            name = os.path.join(a.out, f"{method}-s{seed}")
            if method == "optuna":
                if not a.report_only and not os.path.exists(name + ".json"):
                    run([sys.executable, os.path.join(ROOT, "bench", "optuna_peer.py"), "--budget", str(budget), "--seed", str(seed),
                         "--subset", str(a.subset), "--val", str(a.val), "--population", str(a.population), "--out", name + ".json"],
                        name + ".log")
                curve, trained = optuna_curve(name + ".json")
            else:
                if not a.report_only:  # resumes a run cut short; a finished one only prints its front
                    run([a.paretonas, "search", "--method", method, "--data", "fashion-mnist", "--subset", str(a.subset),
                         "--val-fraction", str(a.val / a.subset), "--epochs-init", "1", "--epochs-child", "1",
                         "--population", str(a.population), "--budget", f"{budget:.0f}s", "--seed", str(seed), "--out", name],
                        name + ".log")
                curve, trained = paretonas_curve(name)
            results.setdefault(method, []).append({"seed": seed, "trained": trained,
                                                   "hypervolume": [at(curve, f * budget) for f in FRACTIONS], "curve": curve})
    print(f"\nhypervolume in (val error, log10 params) against {REFERENCE}, mean (min-max) over seeds; budget {a.budget}")
    print(f"{'method':10} " + " ".join(f"{int(f * 100):>20}%" for f in FRACTIONS) + f" {'trained':>9}")
    for method, runs in results.items():
        cells = []
        for k in range(len(FRACTIONS)):
            v = [r["hypervolume"][k] for r in runs]
            cells.append(f"{statistics.mean(v):.4f} ({min(v):.3f}-{max(v):.3f})")
        print(f"{method:10} " + " ".join(f"{c:>21}" for c in cells) + f" {statistics.mean(r['trained'] for r in runs):9.0f}")
    with open(os.path.join(a.out, "summary.json"), "w") as f:
        json.dump({"budget_seconds": budget, "reference": REFERENCE, "fractions": FRACTIONS, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()

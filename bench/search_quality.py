#!/usr/bin/python3
"""Search quality at equal cost: runs paretonas' search methods and the Optuna peer
(bench/optuna_peer.py) on the same Fashion-MNIST subset with the same objectives (validation
error, parameters) and wall-clock budget in one invocation, and reports the hypervolume of each
front at 25/50/75/100% of the budget against one shared reference point, over several seeds:
mean, worst and best seed per method, and the strongest peer per budget.

LEMONADE runs as the main job does, with its own defaults. The from-scratch baselines (nsga2,
random) train one epoch per network with a population of --population, as the peer does; so do
nago and nago-random (NAGO with theta drawn uniformly: its random-generator baseline), with their
own initial design and batch. The
peer gets its own best recipe (PEER_RECIPE, measured by bench/search_recipe.py), the tuned
allocator and NHWC: "optuna" without augmentation, "optuna-aug" with crops and flips; the report
takes the better of the two at each budget.

The hypervolume is taken in (validation error, log10 parameters), as paretonas reports it, with
the reference point (1, 8): error 1, 1e8 parameters. A paretonas candidate counts from a time
reconstructed from its run store, never earlier than it finished (see paretonas_curve); an Optuna
trial from the second it ended.

Searches run one after the other, or with --jobs 2 two side by side, each on --threads cores (by
default the cores shared out) so that several seeds fit in a working day. Which search runs
beside which follows the order of --methods, so each method has a different neighbour competing
for memory bandwidth; every one gets the same cores.

  bench/search_quality.py --budget 20m --seeds 0,1,2 --jobs 2 --out bench/results/search_quality
"""
import argparse
import concurrent.futures
import functools
import json
import math
import os
import re
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
    """[(seconds, hypervolume)] after each trained candidate of a paretonas run.

    A candidate stores the run's time when it finished (data.finished_at). Runs from before that
    field keep each candidate's training seconds and the run time at each generation's close: such
    a candidate is taken to finish when its generation closed less the training seconds of the
    candidates trained after it, as if all the generation's overhead came before it; never earlier
    than it really finished (those runs trained no candidate after its generation closed).
    """
    db = sqlite3.connect(f"file:{os.path.join(run_dir, 'run.db')}?mode=ro", uri=True)
    closes = dict(db.execute("SELECT generation, seconds FROM generations"))
    row = db.execute("SELECT value FROM meta WHERE key='elapsed'").fetchone()
    end = float(row[0]) if row else 0.0  # none before the first candidate started
    columns = {row[1] for row in db.execute("PRAGMA table_info(candidates)")}
    data = "data" if "data" in columns else "'{}'"  # schema 1 had no data column
    by_generation = {}
    for row in db.execute(f"SELECT generation, status, val_error, params, seconds, {data} FROM candidates ORDER BY id"):
        by_generation.setdefault(row[0], []).append(row[1:])
    finished = []
    for generation in sorted(by_generation):
        done = [(e, p, s, json.loads(d or "{}")) for status, e, p, s, d in by_generation[generation] if status == "done"]
        remaining = sum(s for _, _, s, _ in done)
        close = closes.get(generation, end)  # the last generation may not have closed
        for error, params, secs, data in done:
            remaining -= secs
            finished.append((data.get("finished_at", close - remaining), error, math.log10(max(params, 1))))
    curve, seen = [], []
    for at_seconds, error, log_params in sorted(finished):
        seen.append((error, log_params))
        curve.append((at_seconds, hypervolume(seen)))
    return curve


def optuna_curve(path):
    trials = json.load(open(path))["trials"]
    curve, seen = [], []
    for t in sorted(trials, key=lambda t: t["finished_seconds"]):
        seen.append((t["val_error"], math.log10(max(t["parameters"], 1))))
        curve.append((t["finished_seconds"], hypervolume(seen)))
    return curve


def strongest_peer(results):
    """[(peer, mean hypervolume)] per read-out: the peer variant with the best mean there."""
    peers = {m: runs for m, runs in results.items() if is_peer(m)}
    if not peers:
        return []
    count = len(next(iter(peers.values()))[0]["hypervolume"])
    best = []
    for k in range(count):
        means = {m: statistics.mean(r["hypervolume"][k] for r in runs) for m, runs in peers.items()}
        top = max(means, key=lambda m: means[m])
        best.append((top, means[top]))
    return best


def at(curve, t):
    values = [hv for s, hv in curve if s <= t]
    return values[-1] if values else 0.0


# What a PyTorch user who knows the levers paretonas pulls sets by hand (docs/performance.md):
# no mmap for large buffers, no trimming, NHWC.
TUNED_ENV = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": str(1 << 30)}
# The peer's best one-epoch recipe on this split (bench/search_recipe.py, docs/results.md).
PEER_RECIPE = ["--lr", "0.2", "--batch-size", "64"]


def run(command, log, env=None):
    print("+", " ".join(command), flush=True)
    with open(log, "w") as f:
        subprocess.run(command, check=True, stdout=f, stderr=subprocess.STDOUT, env=dict(os.environ, **(env or {})))


def is_peer(method):
    return method.startswith("optuna")


def search_env(method):
    return TUNED_ENV if is_peer(method) else None


@functools.lru_cache(maxsize=None)
def method_flags(paretonas, method):
    """The flags `paretonas search --method METHOD` takes, read from its help (the registry's)."""
    help_text = subprocess.run([paretonas, "search", "--method", method, "--help"], capture_output=True, text=True, check=True).stdout
    return set(re.findall(r"^\s+(--[a-z0-9-]+)", help_text, re.M))


def method_settings(a, method):
    """The peer's recipe for the methods that train every network from scratch (one epoch,
    `population` networks per generation); methods that inherit weights run their defaults."""
    flags = method_flags(a.paretonas, method)
    if "--epochs-child" in flags:
        return []
    wanted = [("--epochs-init", "1"), ("--population", str(a.population))]
    return [x for flag, value in wanted if flag in flags for x in (flag, value)]


# A method run under another name with extra flags: NAGO's random-generator baseline (theta
# uniform in the box, the same networks, training and store; the paper's HNAG-RS).
VARIANTS = {"nago-random": ("nago", ["--proposer", "random"])}


def search_command(a, method, seed, budget, name):
    if is_peer(method):
        recipe = PEER_RECIPE + ["--channels-last"] + ([] if method == "optuna-aug" else ["--no-augment"])
        return [sys.executable, os.path.join(ROOT, "bench", "optuna_peer.py"), "--budget", str(budget), "--seed", str(seed),
                "--subset", str(a.subset), "--val", str(a.val), "--epochs", "1", "--population", str(a.population), "--threads", str(a.threads),
                "--out", name + ".json"] + recipe
    base, extra = VARIANTS.get(method, (method, []))
    return [a.paretonas, "search", "--method", base, "--data", "fashion-mnist", "--subset", str(a.subset),
            "--val-fraction", str(a.val / a.subset)] + method_settings(a, base) + extra + [
            "--budget", f"{budget:.0f}s", "--seed", str(seed), "--threads", str(a.threads), "--out", name]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--budget", default="20m")
    p.add_argument("--seeds", default="0")
    p.add_argument("--methods", default="lemonade,optuna,optuna-aug,nsga2,random")
    p.add_argument("--subset", type=int, default=15000)
    p.add_argument("--val", type=int, default=5000)
    p.add_argument("--population", type=int, default=20)
    p.add_argument("--jobs", type=int, default=1, help="searches run side by side, each on --threads cores")
    p.add_argument("--threads", type=int, default=0, help="threads per search (0: cores / jobs)")
    p.add_argument("--paretonas", default=os.path.join(ROOT, "build", "paretonas"))
    p.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "main_job"))
    p.add_argument("--report-only", action="store_true", help="only read the runs already in --out")
    a = p.parse_args()
    a.threads = a.threads or max(1, len(os.sched_getaffinity(0)) // a.jobs)
    budget = seconds(a.budget)
    os.makedirs(a.out, exist_ok=True)
    runs = [(seed, method, os.path.join(a.out, f"{method}-s{seed}"))
            for seed in [int(s) for s in a.seeds.split(",")] for method in a.methods.split(",")]
    if not a.report_only:
        # A finished Optuna run is skipped; a paretonas run resumes (a finished one only prints its front).
        todo = [(search_command(a, method, seed, budget, name), name + ".log", search_env(method))
                for seed, method, name in runs if not is_peer(method) or not os.path.exists(name + ".json")]
        with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
            futures = [pool.submit(run, *task) for task in todo]
            for f in concurrent.futures.as_completed(futures):
                if f.exception():  # stop at once, not after hours of queued searches
                    pool.shutdown(cancel_futures=True)
                    raise f.exception()
    results = {}
    for seed, method, name in runs:
        found = name + ".json" if is_peer(method) else os.path.join(name, "run.db")
        if not os.path.exists(found):
            sys.exit(f"search_quality: no {method} run for seed {seed}: {found} is missing")
        curve = optuna_curve(name + ".json") if is_peer(method) else paretonas_curve(name)
        within = [t for t, _ in curve if t <= budget]
        gaps = [b - a for a, b in zip([0.0] + within, within)]
        results.setdefault(method, []).append({"seed": seed, "trained": len(within),
                                               "median_trial_seconds": statistics.median(gaps) if gaps else None,
                                               "hypervolume": [at(curve, f * budget) for f in FRACTIONS], "curve": curve})
    print(f"\nhypervolume in (val error, log10 params) against {REFERENCE}, mean (min-max) over seeds; budget {a.budget}")
    print(f"{'method':12} " + " ".join(f"{int(f * 100):>20}%" for f in FRACTIONS) + f" {'trained':>9} {'s/trial':>8}")
    for method, runs in results.items():
        cells = []
        for k in range(len(FRACTIONS)):
            v = [r["hypervolume"][k] for r in runs]
            cells.append(f"{statistics.mean(v):.4f} ({min(v):.3f}-{max(v):.3f})")
        print(f"{method:12} " + " ".join(f"{c:>21}" for c in cells) + f" {statistics.mean(r['trained'] for r in runs):9.0f}"
              + f" {statistics.median(r['median_trial_seconds'] or 0 for r in runs):8.1f}")
    best = strongest_peer(results)
    if best:
        print(f"{'best peer':12} " + " ".join(f"{f'{hv:.4f} {peer}':>21}" for peer, hv in best))
        for method, runs in results.items():
            if is_peer(method):
                continue
            wins = [statistics.mean(r["hypervolume"][k] for r in runs) > hv for k, (_, hv) in enumerate(best)]
            worst = [min(r["hypervolume"][k] for r in runs) > hv for k, (_, hv) in enumerate(best)]
            print(f"{method}: mean beats the best peer's mean at {sum(wins)}/{len(best)} read-outs, worst seed at {sum(worst)}/{len(best)}")
    with open(os.path.join(a.out, "summary.json"), "w") as f:
        json.dump({"budget_seconds": budget, "reference": REFERENCE, "fractions": FRACTIONS, "results": results,
                   "strongest_peer": best}, f, indent=1)


if __name__ == "__main__":
    main()

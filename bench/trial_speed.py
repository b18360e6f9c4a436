#!/usr/bin/python3
"""Seconds per search trial, paretonas against the Python peer on the same networks.

bench/search_quality.py compares searches at equal wall-clock, where a method's speed per trial
is part of its quality; this separates the two. For candidates of a paretonas chain-space run
(nsga2 or random), it trains each network once more with `paretonas train` (the search's recipe:
one epoch of 10,000 images, 5,000 validation) and with bench/optuna_peer.py --time, plain and
tuned (channels_last, glibc mmap off), one process after the other, and prints the seconds of
each (training plus validation, data loading excluded) and their ratios.

  bench/trial_speed.py --run bench/results/search_quality/random-s0 --ids 2,6,11,15 --threads 1
"""
import argparse
import json
import math
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile

from search_quality import ROOT, TUNED_ENV  # bench/ is on sys.path when a script in it runs


def peer_params(genome):
    """Optuna's parameters for a ChainSpace genome: stages, kernel, skip, separable, then
    (width, blocks) per stage, with stages and blocks counted from 1."""
    params = {"stages": genome[0] + 1, "kernel": genome[1], "skip": bool(genome[2]), "separable": bool(genome[3])}
    for s in range((len(genome) - 4) // 2):
        params[f"width{s}"] = genome[4 + 2 * s]
        params[f"blocks{s}"] = genome[5 + 2 * s] + 1
    return params


def paretonas_seconds(binary, arch, threads, subset, val):
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([binary, "train", "--arch", arch, "--data", "fashion-mnist", "--subset", str(subset), "--val-fraction",
                        str(val / subset), "--epochs", "1", "--threads", str(threads), "--quiet", "--out", out],
                       check=True, stdout=subprocess.DEVNULL)
        return json.load(open(os.path.join(out, "result.json")))["seconds"]


def peer_run(params, threads, subset, val, tuned):
    command = [sys.executable, os.path.join(ROOT, "bench", "optuna_peer.py"), "--time", json.dumps(params), "--threads",
               str(threads), "--subset", str(subset), "--val", str(val)] + (["--channels-last"] if tuned else [])
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=dict(os.environ, **(TUNED_ENV if tuned else {})))
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--run", required=True, help="a paretonas nsga2 or random run")
    p.add_argument("--ids", required=True, help="candidate ids, comma-separated")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--subset", type=int, default=15000)
    p.add_argument("--val", type=int, default=5000)
    p.add_argument("--repeats", type=int, default=1, help="alternating runs per side; the medians are compared "
                   "(one run of a side can be 30%% off on a noisy machine)")
    p.add_argument("--peers", default="plain,tuned", help="which peers to time (plain PyTorch can take 20x longer)")
    p.add_argument("--paretonas", default=os.path.join(ROOT, "build", "paretonas"))
    a = p.parse_args()
    peers = a.peers.split(",")
    db = sqlite3.connect(f"file:{os.path.join(a.run, 'run.db')}?mode=ro", uri=True)
    rows = []
    print(f"{'id':>4} {'params':>9} {'MAdds':>12} {'paretonas s':>12} {'peer s':>8} {'tuned s':>8} {'peer/p':>7} {'tuned/p':>8}")
    for id in [int(i) for i in a.ids.split(",")]:
        row = db.execute("SELECT params, madds, genome FROM candidates WHERE id=?", (id,)).fetchone()
        if row is None:
            sys.exit(f"trial_speed: run {a.run} has no candidate {id}")
        params, madds, genome = row[0], row[1], json.loads(row[2])
        if not genome:
            sys.exit(f"trial_speed: candidate {id} has no chain genome (not an nsga2 or random run?)")
        ours_runs, peer_runs = [], {peer: [] for peer in peers}
        for _ in range(a.repeats):
            ours_runs.append(paretonas_seconds(a.paretonas, os.path.join(a.run, "weights", f"{id}.json"), a.threads, a.subset, a.val))
            for peer in peers:
                t = peer_run(peer_params(genome), a.threads, a.subset, a.val, peer == "tuned")
                if t["parameters"] != params:  # the two spaces must decode the genes to the same network
                    sys.exit(f"trial_speed: candidate {id} has {params} parameters in paretonas, {t['parameters']} in the {peer} peer")
                peer_runs[peer].append(t["seconds"])
        ours = statistics.median(ours_runs)
        seconds = [statistics.median(peer_runs[peer]) if peer in peers else math.nan for peer in ("plain", "tuned")]
        rows.append([s / ours for s in seconds])
        print(f"{id:>4} {params:>9} {madds:>12} {ours:>12.1f} {seconds[0]:>8.1f} {seconds[1]:>8.1f} "
              f"{rows[-1][0]:>7.2f} {rows[-1][1]:>8.2f}", flush=True)
    for k, peer in enumerate(("plain", "tuned")):
        if peer in peers:
            print(f"median ratio: {peer} peer {statistics.median(r[k] for r in rows):.2f}x the seconds of paretonas ({a.threads} thread(s))")


if __name__ == "__main__":
    main()

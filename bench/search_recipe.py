#!/usr/bin/python3
"""The search-time training recipe, chosen by measurement (docs/results.md, "Search-time recipe").

A search scores a candidate after one short training, so what matters is the validation error a
recipe reaches after one epoch (a child of LEMONADE, a trial of NSGA-II) and after a lineage of
one-epoch trainings that each restart the learning rate (a LEMONADE line of descent), not after
the long final training. On the bench's split (Fashion-MNIST, 10k train / 5k validation, one
thread) this measures, with `paretonas train`:

  1. learning rate x batch size, one epoch, on the 24k-parameter seed network, with and without
     augmentation, and the seconds an epoch takes;
  2. augmentation on and off, one epoch, on the three smaller seed networks;
  3. a lineage: 8 one-epoch cosine cycles (SGDR with t0 = 1, tmult = 1), with and without
     augmentation, error after each cycle.

The seed networks are LEMONADE's default initial population, written by a search of
generation 0 on 2,000 images.

  bench/search_recipe.py --seeds 0,1,2 --out bench/results/search_recipe
"""
import argparse
import itertools
import json
import os
import statistics
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def seed_networks(paretonas, out):
    run = os.path.join(out, "seeds")
    if not os.path.exists(os.path.join(run, "weights", "3.json")):
        subprocess.run([paretonas, "search", "--method", "lemonade", "--data", "fashion-mnist", "--subset", "2000",
                        "--epochs-init", "1", "--generations", "1", "--out", run, "--quiet"], check=True,
                       stdout=subprocess.DEVNULL)
    return {i: os.path.join(run, "weights", f"{i}.json") for i in (1, 2, 3)}


def train(a, arch, seed, lr, batch, augment, epochs=1, lineage=False):
    name = f"a{os.path.basename(arch)[:-5]}-s{seed}-lr{lr}-b{batch}-{'aug' if augment else 'plain'}-e{epochs}{'-lin' if lineage else ''}"
    out = os.path.join(a.out, "runs", name)
    result = os.path.join(out, "result.json")
    if not os.path.exists(result):
        command = [a.paretonas, "train", "--arch", arch, "--subset", "15000", "--val-fraction", "0.3333334", "--threads", "1",
                   "--seed", str(seed), "--epochs", str(epochs), "--lr", str(lr), "--batch-size", str(batch), "--quiet", "--out", out]
        if not augment:
            command.append("--no-augment")
        if lineage:
            command += ["--schedule", "sgdr", "--sgdr-t0", "1", "--sgdr-tmult", "1"]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    history = json.load(open(result))["history"]
    return [h["val_error"] for h in history], sum(h["seconds"] for h in history)


def summary(values):
    return f"{100 * statistics.mean(values):5.2f}% (worst {100 * max(values):5.2f}%)"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--paretonas", default=os.path.join(ROOT, "build", "paretonas"))
    p.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "search_recipe"))
    a = p.parse_args()
    seeds = [int(s) for s in a.seeds.split(",")]
    os.makedirs(a.out, exist_ok=True)
    nets = seed_networks(a.paretonas, a.out)
    report = {}

    print("1. one epoch, 24k-parameter seed network: validation error, mean over seeds (worst)")
    for augment, lr, batch in itertools.product((True, False), (0.05, 0.1, 0.2, 0.4), (32, 64, 128, 256)):
        runs = [train(a, nets[2], s, lr, batch, augment) for s in seeds]
        errors = [r[0][-1] for r in runs]
        key = f"{'crop+flip' if augment else 'none':9} lr {lr:<4} batch {batch:<3}"
        report[key] = errors
        print(f"  {key}  {summary(errors)}  {statistics.mean(r[1] for r in runs):5.1f} s/epoch", flush=True)

    print("2. one epoch, lr 0.05, batch 128: augmentation on each small seed network")
    for net, augment in itertools.product((1, 2, 3), (True, False)):
        runs = [train(a, nets[net], s, 0.05, 128, augment) for s in seeds]
        key = f"seed network {net}, {'crop+flip' if augment else 'none':9}"
        report[key] = [r[0][-1] for r in runs]
        print(f"  {key}  {summary(report[key])}  {statistics.mean(r[1] for r in runs):5.1f} s/epoch", flush=True)

    print("3. lineage of 8 one-epoch cycles, 24k network: error after cycle 1, 2, 4, 8")
    for (lr, batch), augment in itertools.product(((0.05, 128), (0.2, 64), (0.1, 64)), (True, False)):
        curves = [train(a, nets[2], s, lr, batch, augment, epochs=8, lineage=True)[0] for s in seeds]
        key = f"lineage lr {lr:<4} batch {batch:<3} {'crop+flip' if augment else 'none':9}"
        report[key] = curves
        cells = [summary([c[k - 1] for c in curves]) for k in (1, 2, 4, 8)]
        print(f"  {key}  " + " | ".join(cells), flush=True)

    with open(os.path.join(a.out, "summary.json"), "w") as f:
        json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()

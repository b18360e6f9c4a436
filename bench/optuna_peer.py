#!/usr/bin/python3
"""Python peer of bench/search_quality: Optuna's NSGA-II sampler searching the same chain space
as `paretonas search --method nsga2|random` (search/chain_space.hpp), each trial a PyTorch
network trained from scratch (SGD, Nesterov momentum 0.9, weight decay 5e-4, one cosine cycle
from --lr to 0, batch --batch-size, random crops of 2 px and flips unless --no-augment,
per-channel normalisation), minimising (validation error, parameters) under a wall-clock budget.
bench/search_quality.py gives it its own best recipe, measured (docs/results.md).

Writes one JSON file: every finished trial with its objectives and the wall-clock second it
finished at, so that the hypervolume at any fraction of the budget can be computed by the same
code for every method (bench/search_quality.py)."""
import argparse
import gzip
import json
import math
import os
import time

import numpy as np
import optuna
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class Block(nn.Module):
    def __init__(self, cin, cout, kernel, separable, skip):
        super().__init__()
        pad = kernel // 2
        if separable:
            self.conv = nn.Sequential(nn.Conv2d(cin, cin, kernel, padding=pad, groups=cin, bias=False),
                                      nn.Conv2d(cin, cout, 1, bias=False))
        else:
            self.conv = nn.Conv2d(cin, cout, kernel, padding=pad, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.skip = skip

    def forward(self, x):
        y = self.bn(self.conv(x))
        return F.relu(y + x if self.skip else y)


def chain_network(params, widths, kernels, side, classes=10):
    """The network paretonas' ChainSpace decodes from the same genes."""
    layers, cin, first = [], 1, True
    stages = params["stages"]
    for s in range(stages):
        width = widths[params[f"width{s}"]]
        for b in range(params[f"blocks{s}"]):
            layers.append(Block(cin, width, kernels[params["kernel"]], params["separable"] and not first, params["skip"] and b > 0))
            cin, first = width, False
        if s + 1 < stages and side >= 4:
            layers.append(nn.MaxPool2d(2, 2))
            side //= 2
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, classes)]
    return nn.Sequential(*layers)


def augment(x):
    """Random 2-pixel crops (zero padding) and horizontal flips, per image."""
    n, h, w = x.shape[0], x.shape[2], x.shape[3]
    padded = F.pad(x, (2, 2, 2, 2))
    shift = torch.randint(0, 25, (n,))
    out = torch.empty_like(x)
    for s in range(25):  # one slice per shift, not per image: the peer should not lose on Python loops
        pick = shift == s
        if pick.any():
            dy, dx = divmod(s, 5)
            out[pick] = padded[pick, :, dy:dy + h, dx:dx + w]
    flip = torch.rand(n) < 0.5
    out[flip] = out[flip].flip(3)
    return out


def train_and_evaluate(net, train_x, train_y, val_x, val_y, a, seed, memory_format):
    torch.manual_seed(seed)
    net = net.to(memory_format=memory_format)
    opt = torch.optim.SGD(net.parameters(), lr=a.lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    batch = a.batch_size
    steps = a.epochs * math.ceil(len(train_x) / batch)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    net.train()
    for _ in range(a.epochs):
        order = torch.randperm(len(train_x))
        for i in range(0, len(order), batch):
            idx = order[i:i + batch]
            x = train_x[idx] if a.no_augment else augment(train_x[idx])
            loss = F.cross_entropy(net(x.contiguous(memory_format=memory_format)), train_y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
    net.eval()
    wrong = 0
    with torch.no_grad():
        for i in range(0, len(val_x), 500):
            wrong += (net(val_x[i:i + 500].contiguous(memory_format=memory_format)).argmax(1) != val_y[i:i + 500]).sum().item()
    return wrong / len(val_x)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data-root", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--subset", type=int, default=15000, help="first N training images")
    p.add_argument("--val", type=int, default=5000, help="of those, held out for validation")
    p.add_argument("--budget", type=float, default=1200, help="seconds")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--lr", type=float, default=0.05, help="peak learning rate of the cosine cycle")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--no-augment", action="store_true", help="no random crops or flips")
    p.add_argument("--population", type=int, default=16)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--channels-last", action="store_true", help="NHWC, as a tuned PyTorch user would train")
    p.add_argument("--widths", default="8,16,24,32,48,64,96,128")
    p.add_argument("--kernels", default="3,5")
    p.add_argument("--max-stages", type=int, default=3)
    p.add_argument("--max-blocks", type=int, default=3)
    p.add_argument("--out", help="the trials' JSON")
    p.add_argument("--time", metavar="PARAMS", help="no search: train the network of these genes (JSON) once and "
                   "print its parameters, seconds and validation error as JSON (bench/trial_speed.py)")
    a = p.parse_args()
    if not a.out and not a.time:
        p.error("--out or --time is required")
    torch.set_num_threads(a.threads or os.cpu_count())
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    images = read_idx(os.path.join(a.data_root, "train-images-idx3-ubyte.gz"))[: a.subset]
    labels = read_idx(os.path.join(a.data_root, "train-labels-idx1-ubyte.gz"))[: a.subset]
    rng = np.random.default_rng(a.seed)
    order = rng.permutation(len(images))
    val_idx, train_idx = order[: a.val], order[a.val:]
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    mean, std = x[train_idx].mean().item(), x[train_idx].std().item()
    x = (x - mean) / std
    y = torch.from_numpy(labels.astype(np.int64))
    train_x, train_y, val_x, val_y = x[train_idx], y[train_idx], x[val_idx], y[val_idx]
    widths = [int(w) for w in a.widths.split(",")]
    kernels = [int(k) for k in a.kernels.split(",")]

    if a.time:
        net = chain_network(json.loads(a.time), widths, kernels, images.shape[1])
        start = time.monotonic()
        error = train_and_evaluate(net, train_x, train_y, val_x, val_y, a, a.seed,
                                   torch.channels_last if a.channels_last else torch.contiguous_format)
        print(json.dumps({"parameters": sum(t.numel() for t in net.parameters()), "seconds": time.monotonic() - start,
                          "val_error": error}))
        return

    start = time.monotonic()
    trials = []

    def objective(trial):
        params = {"stages": trial.suggest_int("stages", 1, a.max_stages),
                  "kernel": trial.suggest_int("kernel", 0, len(kernels) - 1),
                  "skip": trial.suggest_categorical("skip", [False, True]),
                  "separable": trial.suggest_categorical("separable", [False, True])}
        for s in range(a.max_stages):  # all genes every trial, as paretonas' genome carries them
            params[f"width{s}"] = trial.suggest_int(f"width{s}", 0, len(widths) - 1)
            params[f"blocks{s}"] = trial.suggest_int(f"blocks{s}", 1, a.max_blocks)
        net = chain_network(params, widths, kernels, images.shape[1])
        n_params = sum(t.numel() for t in net.parameters())
        error = train_and_evaluate(net, train_x, train_y, val_x, val_y, a, a.seed * 1000003 + trial.number,
                                   torch.channels_last if a.channels_last else torch.contiguous_format)
        trials.append({"number": trial.number, "val_error": error, "parameters": n_params,
                       "finished_seconds": time.monotonic() - start, "params": params})
        save(a.out + ".partial")  # what a killed run had done; search_quality reads only the finished file
        return error, n_params

    def save(path):
        with open(path + ".tmp", "w") as f:
            json.dump({"method": "optuna-nsga2", "optuna": optuna.__version__, "torch": torch.__version__,
                       "budget_seconds": a.budget, "seed": a.seed, "trials": trials}, f, indent=1)
        os.replace(path + ".tmp", path)

    sampler = optuna.samplers.NSGAIISampler(population_size=a.population, seed=a.seed)
    study = optuna.create_study(directions=["minimize", "minimize"], sampler=sampler)
    study.optimize(objective, timeout=a.budget)
    save(a.out)
    if os.path.exists(a.out + ".partial"):
        os.remove(a.out + ".partial")
    print(f"optuna peer: {len(trials)} trials in {time.monotonic() - start:.0f} s -> {a.out}")


if __name__ == "__main__":
    main()

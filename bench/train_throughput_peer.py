#!/usr/bin/python3
"""Python PyTorch peer of bench/train_throughput: the same network, batch and optimiser, written
the way a PyTorch user would (uint8 data in memory, per-batch normalisation, nn.Sequential).
Prints one line: `peer img/s <value>`; with --profile, the operators' CPU time first."""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def network(widths, pool_after, classes=10):
    layers, c = [], 1
    for i, w in enumerate(widths):
        layers += [nn.Conv2d(c, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU(inplace=True)]
        if i in pool_after:
            layers.append(nn.MaxPool2d(2, 2))
        c = w
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, classes)]
    return nn.Sequential(*layers)


class GatedSum(nn.Module):
    """NAGO's node aggregation as a user would write it: sigmoid gates (starting at 1) weighting
    a sum of the inputs."""

    def __init__(self, inputs):
        super().__init__()
        self.gate = nn.Parameter(torch.ones(inputs))

    def forward(self, inputs):
        weights = torch.sigmoid(self.gate)
        return sum(weights[i] * x for i, x in enumerate(inputs))


class GraphNetwork(nn.Module):
    """A paretonas architecture JSON (core/architecture.hpp) as PyTorch modules, the way a user
    would port it: one module per node with parameters, the graph walked in the file's order
    (paretonas writes nodes in topological order)."""

    def __init__(self, arch):
        super().__init__()
        self.nodes, self.output = arch["nodes"], arch["output"]
        self.last_reader = {i: n["id"] for n in self.nodes for i in n["inputs"]}  # values are freed after it
        channels = {0: arch["input_shape"][0]}
        spatial = {0: True}  # whether a node's output is a feature map
        self.layers = nn.ModuleDict()
        for n in self.nodes:
            op, cin, key = n["op"], channels[n["inputs"][0]], str(n["id"])
            channels[n["id"]] = n.get("channels", n.get("features", cin))
            spatial[n["id"]] = spatial[n["inputs"][0]] and op not in ("flatten", "global_avg_pool", "linear")
            if op == "concat":
                channels[n["id"]] = sum(channels[i] for i in n["inputs"])
            if op in ("conv", "sep_conv"):
                k, d = n["kernel"], n.get("dilation", 1)
                pad = n.get("padding", d * (k - 1) // 2)
                conv = dict(stride=n.get("stride", 1), padding=pad, dilation=d, bias=n.get("bias", False))
                if op == "conv":
                    self.layers[key] = nn.Conv2d(cin, n["channels"], k, groups=n.get("groups", 1), **conv)
                else:
                    self.layers[key] = nn.Sequential(nn.Conv2d(cin, cin, k, groups=cin, **conv),
                                                     nn.Conv2d(cin, n["channels"], 1, bias=n.get("bias", False)))
            elif op == "batch_norm":
                self.layers[key] = nn.BatchNorm2d(cin) if spatial[n["inputs"][0]] else nn.BatchNorm1d(cin)
            elif op == "linear":
                self.layers[key] = nn.Linear(cin, n["features"])
            elif op == "gated_sum":
                self.layers[key] = GatedSum(len(n["inputs"]))

    def forward(self, x):
        values = {0: x}
        for n in self.nodes:
            op, key = n["op"], str(n["id"])
            v = values[n["inputs"][0]]
            if op == "gated_sum":
                y = self.layers[key]([values[i] for i in n["inputs"]])
            elif key in self.layers:
                y = self.layers[key](v)
            elif op == "relu":
                y = F.relu(v)
            elif op in ("max_pool", "avg_pool"):
                pool = F.max_pool2d if op == "max_pool" else F.avg_pool2d
                y = pool(v, n["kernel"], n.get("stride", n["kernel"]), n.get("padding", 0))
            elif op == "global_avg_pool":
                y = F.adaptive_avg_pool2d(v, 1).flatten(1)
            elif op == "flatten":
                y = v.flatten(1)
            elif op == "add":
                y = sum(values[i] for i in n["inputs"])
            elif op == "concat":
                y = torch.cat([values[i] for i in n["inputs"]], 1)
            elif op in ("identity", "dropout"):
                y = F.dropout(v, n.get("rate", 0.0), self.training) if op == "dropout" else v
            else:
                raise SystemExit(f"train_throughput_peer: unknown op {op}")
            values[n["id"]] = y
            for i in n["inputs"]:
                if self.last_reader[i] == n["id"]:
                    del values[i]
        return values[self.output]


def evaluate(model, images, labels, prepare, batch_size):
    model.eval()
    wrong = 0
    with torch.no_grad():
        for i in range(0, len(images), batch_size):
            wrong += (model(prepare(images[i:i + batch_size])).argmax(1) != labels[i:i + batch_size]).sum().item()
    return wrong / len(images)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batches", type=int, default=40)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--channels-last", action="store_true")
    p.add_argument("--arch", help="a paretonas architecture JSON instead of the 4-conv network")
    p.add_argument("--eval", type=int, metavar="BATCH", help="time evaluation at this batch (no gradients) instead of training")
    p.add_argument("--profile", action="store_true", help="print the operators' CPU time of the timed batches")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.arch:
        arch = json.load(open(a.arch))
        model, shape = GraphNetwork(arch), arch["input_shape"]
    else:
        model, shape = network([32, 64, 128, 128], {1, 2}), [1, 28, 28]
    if a.channels_last:
        model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    n = a.batch_size * (a.batches + a.warmup)
    images = torch.randint(0, 256, [n] + shape, dtype=torch.uint8)
    labels = torch.randint(0, 10, (n,))
    mean, std = 0.286, 0.353
    model.train()

    def prepare(batch):
        x = (batch.float() / 255 - mean) / std
        return x.contiguous(memory_format=torch.channels_last) if a.channels_last else x

    def step(i):
        sl = slice(i * a.batch_size, (i + 1) * a.batch_size)
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(prepare(images[sl])), labels[sl])
        loss.backward()
        opt.step()

    for i in range(a.warmup):
        step(i)
    with torch.autograd.profiler.profile(enabled=a.profile) as prof:
        start = time.perf_counter()
        if a.eval:
            evaluate(model, images[a.batch_size * a.warmup:], labels[a.batch_size * a.warmup:], prepare, a.eval)
        else:
            for i in range(a.warmup, a.warmup + a.batches):
                step(i)
        elapsed = time.perf_counter() - start
    if a.profile:
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))
    print(f"peer img/s {a.batches * a.batch_size / elapsed:.1f}", flush=True)


if __name__ == "__main__":
    main()

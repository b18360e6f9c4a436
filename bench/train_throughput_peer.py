#!/usr/bin/python3
"""Python PyTorch peer of bench/train_throughput: the same network, batch and optimiser, written
the way a PyTorch user would (uint8 data in memory, per-batch normalisation, nn.Sequential).
Prints one line: `peer img/s <value>`."""
import argparse
import time

import torch
import torch.nn as nn


def network(widths, pool_after, classes=10):
    layers, c = [], 1
    for i, w in enumerate(widths):
        layers += [nn.Conv2d(c, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU(inplace=True)]
        if i in pool_after:
            layers.append(nn.MaxPool2d(2, 2))
        c = w
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, classes)]
    return nn.Sequential(*layers)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batches", type=int, default=40)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--channels-last", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = network([32, 64, 128, 128], {1, 2})
    if a.channels_last:
        model = model.to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    n = a.batch_size * (a.batches + a.warmup)
    images = torch.randint(0, 256, (n, 1, 28, 28), dtype=torch.uint8)
    labels = torch.randint(0, 10, (n,))
    mean, std = 0.286, 0.353
    model.train()

    def step(i):
        sl = slice(i * a.batch_size, (i + 1) * a.batch_size)
        x = (images[sl].float() / 255 - mean) / std
        if a.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), labels[sl])
        loss.backward()
        opt.step()

    for i in range(a.warmup):
        step(i)
    start = time.perf_counter()
    for i in range(a.warmup, a.warmup + a.batches):
        step(i)
    elapsed = time.perf_counter() - start
    print(f"peer img/s {a.batches * a.batch_size / elapsed:.1f}", flush=True)


if __name__ == "__main__":
    main()

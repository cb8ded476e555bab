#!/usr/bin/env python3
"""PyTorch twin of cnn-lab's benchmark nets (packages/core/src/bench/nets.ts), for the tfjs/PyTorch ratio.

Builds the same three nets as the TensorFlow.js side, with the same shapes, batch sizes, loss and
optimizer (SGD, lr 0.01), times forward passes and training steps at a given thread count, and prints
one JSON line per net:
  {"net": "go", "framework": "pytorch", "threads": 1, "forwardMs": ..., "trainStepMs": ..., "trainStepCpuMs": ...}

  /usr/bin/python3 packages/core/src/bench/torch_bench.py --nets go,kim,mnist --threads 1 --steps 5
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class GoPolicy(nn.Module):
    """AlphaGo SL policy shape: 5x5 conv, (layers-2) 3x3 convs, 1x1 conv (its one bias standing in for the bias per point)."""

    def __init__(self, planes=48, filters=64, layers=6):
        super().__init__()
        convs = [nn.Conv2d(planes, filters, 5, padding=2)]
        convs += [nn.Conv2d(filters, filters, 3, padding=1) for _ in range(layers - 2)]
        self.convs = nn.ModuleList(convs)
        self.head = nn.Conv2d(filters, 1, 1)

    def forward(self, x):
        for conv in self.convs:
            x = F.relu(conv(x))
        return self.head(x).flatten(1)


class KimCNN(nn.Module):
    """Kim (2014) CNN-rand: windows 3, 4, 5 x 100 maps over the full 300-d embedding, max over time, dropout."""

    def __init__(self, vocab=20000, embed=300, classes=2):
        super().__init__()
        self.emb = nn.Embedding(vocab, embed)
        self.convs = nn.ModuleList([nn.Conv2d(1, 100, (h, embed)) for h in (3, 4, 5)])
        self.drop = nn.Dropout(0.5)
        self.out = nn.Linear(300, classes)

    def forward(self, x):
        e = self.emb(x).unsqueeze(1)
        h = [F.relu(c(e)).squeeze(3).max(2).values for c in self.convs]
        return self.out(self.drop(torch.cat(h, 1)))


class LectureMnist(nn.Module):
    """The lecture's Keras example: conv 25 3x3, pool 2, conv 50 3x3, pool 2, dense 100, dense 10."""

    def __init__(self):
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(1, 25, 3), nn.Conv2d(25, 50, 3)
        self.d1, self.d2 = nn.Linear(1250, 100), nn.Linear(100, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        return self.d2(F.relu(self.d1(x.flatten(1))))


def build(net):
    if net == "go":
        return GoPolicy(), torch.rand(64, 48, 19, 19), torch.randint(0, 361, (64,))
    if net == "kim":
        return KimCNN(), torch.randint(0, 20000, (50, 56)), torch.randint(0, 2, (50,))
    if net == "mnist":
        return LectureMnist(), torch.rand(64, 1, 28, 28), torch.randint(0, 10, (64,))
    raise SystemExit(f"unknown net '{net}': expected go, kim or mnist")


def median_ms(fn, steps, warmup=1):
    """Median wall time and median CPU time of this process (all threads), in ms."""
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(steps):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def bench(net, threads, steps):
    torch.manual_seed(0)
    model, x, y = build(net)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def forward():
        with torch.no_grad():
            model(x)

    def train():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    model.eval()
    fwd, fwd_cpu = median_ms(forward, steps)
    model.train()
    trn, trn_cpu = median_ms(train, steps)
    return {"net": net, "framework": "pytorch", "backend": "cpu", "threads": threads, "batch": x.shape[0],
            "forwardMs": round(fwd, 2), "trainStepMs": round(trn, 2), "forwardCpuMs": round(fwd_cpu, 2),
            "trainStepCpuMs": round(trn_cpu, 2), "version": torch.__version__}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--nets", default="go,kim,mnist")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=5)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    for net in a.nets.split(","):
        print(json.dumps(bench(net.strip(), a.threads, a.steps)), flush=True)


if __name__ == "__main__":
    main()

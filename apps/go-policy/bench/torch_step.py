#!/usr/bin/env python3
"""PyTorch twin of one go-policy training step, for bench/train-step.ts (which spawns it).

The network is the one src/model/policy.ts builds and ../shared/anchors/torch_reference.py times:
5x5 conv, (layers-2) 3x3 convs, 1x1 conv without bias plus a bias per point, softmax cross-entropy over
the 361 points. The optimizer is the one `train` uses (Adam) unless --optimizer sgd. Inputs are random
0/1 planes, like the feature planes; dense convolutions cost the same whatever the values.

  /usr/bin/python3 bench/torch_step.py --filters 32 --layers 5 --batch 32 --planes 48 --threads 1 --steps 20

Prints one JSON line: median wall and CPU (this process, all threads) milliseconds per step.
"""
import argparse
import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

# The network and the timer are core's benchmark twin's, so the two PyTorch anchors cannot drift apart.
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "packages" / "core" / "bench"))
from torch_bench import GoPolicy, median_ms  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--planes", type=int, default=48)
    p.add_argument("--filters", type=int, default=32)
    p.add_argument("--layers", type=int, default=5)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    p.add_argument("--lr", type=float, default=0.002)
    a = p.parse_args()
    if a.layers < 2 or a.filters < 1 or a.batch < 1 or a.threads < 1 or a.steps < 1:
        raise SystemExit(f"torch_step.py: expected --layers >= 2 and positive --filters/--batch/--threads/--steps, got {vars(a)}")

    torch.manual_seed(0)
    torch.set_num_threads(a.threads)
    model = GoPolicy(a.planes, a.filters, a.layers)
    x = torch.randint(0, 2, (a.batch, a.planes, 19, 19)).float()
    y = torch.randint(0, 361, (a.batch,))
    opt = torch.optim.Adam(model.parameters(), lr=a.lr) if a.optimizer == "adam" else torch.optim.SGD(model.parameters(), lr=a.lr)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        loss.item()

    model.train()
    wall, cpu = median_ms(step, a.steps, a.warmup)
    print(json.dumps({
        "framework": "pytorch", "version": torch.__version__, "threads": a.threads, "batch": a.batch,
        "optimizer": a.optimizer, "trainStepMs": round(wall, 2), "trainStepCpuMs": round(cpu, 2),
    }))


if __name__ == "__main__":
    main()

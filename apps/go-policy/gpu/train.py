#!/usr/bin/env python3
"""Trains go-policy's network on a GPU, within a wall-clock budget, from positions gpu/encode.ts wrote.

The network is the one src/model/policy.ts builds (Silver et al. 2016): a 5x5 convolution, (layers-2)
3x3 convolutions, each with a ReLU and zero padding, a 1x1 convolution with one filter and no bias,
a bias per point, softmax over the 361 points; no pooling, no normalisation. Every training example
is seen through a random one of the 8 board symmetries (chosen on the GPU, planes and target together).
AdamW, linear warm-up then cosine decay over the time budget, bf16 autocast on CUDA, channels-last.

When the budget is spent it writes the weights in TensorFlow.js order and layout (weights.json +
weights.f32, read by gpu/export.ts), then scores the test split exactly as `eval` does (top-1: no
point has a higher probability than the played one; top-5; log-loss; by move number), in float32.

  python3 gpu/train.py --data .tmp/gpu/encoded --out runs/gpu --budget-seconds 420          # a GPU
  python3 gpu/train.py --data DIR --out DIR --device cpu --max-positions 5000 --max-steps 20 \
      --filters 8 --layers 4 --batch-size 32                                               # a smoke test

Prints progress lines and, last, one JSON line with the results (also written to OUT/results.json).
"""
import argparse
import copy
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

BOARD = 19
POINTS = BOARD * BOARD
FORMAT = "go-policy-bits-v1"
# Move-number buckets of src/model/evaluate.ts (STAGES).
STAGES = [(1, 20), (21, 50), (51, 100), (101, 150), (151, 200), (201, 250), (251, None)]


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------------------------------------- data


def load_manifest(data_dir):
    path = Path(data_dir) / "manifest.json"
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise SystemExit(f"--data {data_dir}: no manifest.json (write one with gpu/encode.ts)")
    if manifest.get("format") != FORMAT:
        raise SystemExit(f"{path}: format is {manifest.get('format')!r}; expected {FORMAT!r}")
    return manifest


def load_split(data_dir, manifest, name, max_positions=None):
    """A split's positions: packed planes [n, bytes] uint8, targets [n] int64, move numbers [n] int64."""
    split = manifest["splits"].get(name)
    if split is None:
        raise SystemExit(f"{Path(data_dir) / 'manifest.json'}: split '{name}' was not encoded (gpu/encode.ts --splits)")
    per = manifest["bytesPerPosition"]
    bits, moves, nums = [], [], []
    have = 0
    for part in split["parts"]:
        n = part["positions"]
        if max_positions is not None:
            n = min(n, max_positions - have)
        if n <= 0:
            break
        b = np.fromfile(Path(data_dir) / part["bits"], dtype=np.uint8, count=n * per)
        m = np.fromfile(Path(data_dir) / part["moves"], dtype="<i2", count=n)
        u = np.fromfile(Path(data_dir) / part["nums"], dtype="<i2", count=n)
        if b.size != n * per or m.size != n or u.size != n:
            raise SystemExit(f"{Path(data_dir) / part['bits']}: shorter than the {part['positions']} positions manifest.json lists")
        bits.append(b.reshape(n, per))
        moves.append(m)
        nums.append(u)
        have += n
    if have == 0:
        raise SystemExit(f"{Path(data_dir) / 'manifest.json'}: split '{name}' has no positions")
    m = np.concatenate(moves).astype(np.int64)
    if m.min() < 0 or m.max() >= POINTS:
        raise SystemExit(f"{data_dir}: split '{name}' has a target outside 0..360")
    return (
        torch.from_numpy(np.concatenate(bits)),
        torch.from_numpy(m),
        torch.from_numpy(np.concatenate(nums).astype(np.int64)),
    )


def symmetry_tables():
    """[8, 361] point -> image point, in the order and convention of src/features/symmetry.ts."""
    m = BOARD - 1

    def image(s, r, c):
        return [(r, c), (c, m - r), (m - r, m - c), (m - c, r), (r, m - c), (m - r, c), (c, r), (m - c, m - r)][s]

    fwd = torch.zeros(8, POINTS, dtype=torch.int64)
    for s in range(8):
        for r in range(BOARD):
            for c in range(BOARD):
                rr, cc = image(s, r, c)
                fwd[s, r * BOARD + c] = rr * BOARD + cc
    inv = torch.argsort(fwd, dim=1)  # inv[s, q] = the point that symmetry s moves to q
    return fwd, inv


class Unpacker:
    """Packed bits (plane-major, most significant bit first) -> [n, planes, 19, 19] 0/1 planes, on the device."""

    def __init__(self, planes, device):
        self.planes = planes
        self.shifts = torch.arange(7, -1, -1, dtype=torch.uint8, device=device)
        self.fwd, self.inv = (t.to(device) for t in symmetry_tables())

    def __call__(self, bits, moves=None, sym=None):
        n = bits.shape[0]
        x = ((bits.unsqueeze(-1) >> self.shifts) & 1).view(n, -1)[:, : self.planes * POINTS].view(n, self.planes, POINTS)
        if sym is not None:
            x = torch.gather(x, 2, self.inv[sym].unsqueeze(1).expand(n, self.planes, POINTS))
            moves = self.fwd[sym, moves]
        return x.view(n, self.planes, BOARD, BOARD), moves


# --------------------------------------------------------------------------------------------- model


class PolicyNet(nn.Module):
    """src/model/policy.ts's buildPolicyNet, layer for layer (names as tfjs gives them)."""

    def __init__(self, planes, filters, layers):
        super().__init__()
        if layers < 2:
            raise SystemExit(f"--layers must be >= 2 (the 5x5 layer and the 1x1 output), got {layers}")
        self.planes, self.filters, self.layers = planes, filters, layers
        self.convs = nn.ModuleList(
            [nn.Conv2d(planes, filters, 5, padding=2)] + [nn.Conv2d(filters, filters, 3, padding=1) for _ in range(layers - 2)]
        )
        self.head = nn.Conv2d(filters, 1, 1, bias=False)
        self.point_bias = nn.Parameter(torch.zeros(POINTS))
        for conv in self.convs:
            nn.init.kaiming_normal_(conv.weight, nonlinearity="relu")
            nn.init.zeros_(conv.bias)
        nn.init.normal_(self.head.weight, std=1.0 / math.sqrt(filters))

    def forward(self, x):
        for conv in self.convs:
            x = F.relu(conv(x))
        return self.head(x).flatten(1) + self.point_bias  # logits; the tfjs net ends in a softmax

    def tfjs_weights(self):
        """(name, array) in buildPolicyNet's weight order, kernels as [kh, kw, in, out]."""
        out = []
        for i, conv in enumerate(self.convs):
            name = "conv5x5" if i == 0 else f"conv3x3_{i + 1}"
            out.append((f"{name}/kernel", conv.weight.detach().permute(2, 3, 1, 0)))
            out.append((f"{name}/bias", conv.bias.detach()))
        out.append(("conv1x1/kernel", self.head.weight.detach().permute(2, 3, 1, 0)))
        out.append(("per_point_bias/bias", self.point_bias.detach()))
        return [(n, t.float().cpu().contiguous().numpy()) for n, t in out]


def save_weights(model, out_dir, meta):
    """weights.f32 (float32 little-endian, concatenated) and weights.json (names, shapes, what trained them)."""
    entries, blobs, offset = [], [], 0
    for name, arr in model.tfjs_weights():
        blob = arr.astype("<f4").tobytes()
        entries.append({"name": name, "shape": list(arr.shape), "offset": offset, "bytes": len(blob)})
        blobs.append(blob)
        offset += len(blob)
    tmp = Path(out_dir) / "weights.f32.tmp"
    tmp.write_bytes(b"".join(blobs))
    os.replace(tmp, Path(out_dir) / "weights.f32")
    doc = {"format": "go-policy-torch-weights-v1", "weights": entries, **meta}
    (Path(out_dir) / "weights.json").write_text(json.dumps(doc, indent=2) + "\n")


# ---------------------------------------------------------------------------------------- evaluation


@torch.no_grad()
def score(model, unpack, bits, moves, nums, device, batch=2048, amp=False):
    """eval's numbers: top-1 (no point more probable than the played one), top-5, log-loss, by move number."""
    model.eval()
    n = bits.shape[0]
    hit1 = torch.zeros(n, dtype=torch.bool)
    hit5 = torch.zeros(n, dtype=torch.bool)
    loss = 0.0
    for i in range(0, n, batch):
        b = bits[i : i + batch].to(device, non_blocking=True)
        y = moves[i : i + batch].to(device)
        x, _ = unpack(b)
        x = x.float().contiguous(memory_format=torch.channels_last) if device.type == "cuda" else x.float()
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=amp):
            logits = model(x)
        probs = torch.softmax(logits.float(), dim=1)
        pt = probs.gather(1, y.unsqueeze(1))
        higher = (probs > pt).sum(1)
        hit1[i : i + batch] = (higher == 0).cpu()
        hit5[i : i + batch] = (higher < 5).cpu()
        loss += float(-torch.log(pt.clamp_min(1e-7)).sum())
    model.train()
    stages = []
    for lo, hi in STAGES:
        sel = (nums >= lo) & (nums <= (hi if hi is not None else 1 << 30))
        k = int(sel.sum())
        stages.append(
            {
                "moves": f"{lo}+" if hi is None else f"{lo}-{hi}",
                "positions": k,
                "top1": float(hit1[sel].float().mean()) if k else 0.0,
                "top5": float(hit5[sel].float().mean()) if k else 0.0,
            }
        )
    return {
        "top1": float(hit1.float().mean()),
        "top5": float(hit5.float().mean()),
        "logLoss": loss / n,
        "positions": n,
        "byMoveNumber": stages,
    }


@torch.no_grad()
def dump_probs(model, bits, out_path):
    """Float32 probabilities of the first positions (identity symmetry) on the CPU: the parity test's reference."""
    m = copy.deepcopy(model).float().cpu().eval()
    x, _ = Unpacker(m.planes, torch.device("cpu"))(bits.cpu())
    probs = torch.softmax(m(x.float()), dim=1)
    probs.numpy().astype("<f4").tofile(out_path)


# ------------------------------------------------------------------------------------------ training


def lr_at(frac, peak, warmup, final):
    """Linear warm-up over the first `warmup` of the run, then cosine from peak to peak*final."""
    if frac < warmup:
        return peak * max(frac / warmup, 0.01)
    t = min((frac - warmup) / max(1 - warmup, 1e-9), 1.0)
    return peak * (final + (1 - final) * 0.5 * (1 + math.cos(math.pi * t)))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, help="folder written by gpu/encode.ts (manifest.json + parts)")
    p.add_argument("--out", required=True, help="folder for weights.json, weights.f32, results.json")
    p.add_argument("--filters", type=int, default=128)
    p.add_argument("--layers", type=int, default=12, help="convolutions in all, the 5x5 and the 1x1 included")
    p.add_argument("--batch-size", type=int, default=1024)
    p.add_argument("--lr", type=float, default=2e-3, help="peak AdamW learning rate")
    p.add_argument("--weight-decay", type=float, default=1e-2, help="AdamW decay of the kernels (not biases)")
    p.add_argument("--warmup", type=float, default=0.03, help="fraction of the run spent warming up")
    p.add_argument("--final-lr", type=float, default=0.01, help="the last learning rate, as a fraction of --lr")
    p.add_argument("--clip", type=float, default=1.0, help="gradient norm clip (0: none)")
    p.add_argument("--budget-seconds", type=float, default=420, help="training time; the schedule spans it")
    p.add_argument("--max-steps", type=int, default=None, help="stop after this many steps (the schedule spans them)")
    p.add_argument("--max-positions", type=int, default=None, help="use at most this many training positions")
    p.add_argument("--eval-positions", type=int, default=None, help="score at most this many test positions")
    p.add_argument("--val-every", type=float, default=60, help="seconds between validation checks")
    p.add_argument("--val-positions", type=int, default=20000)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--amp", choices=["auto", "on", "off"], default="auto", help="bf16 autocast (auto: on CUDA)")
    p.add_argument("--no-symmetries", action="store_true", help="train on the positions as played")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--dump-probs", type=int, default=0, help="write probabilities of the first N test positions (parity test)")
    p.add_argument("--dump-split", default="test")
    a = p.parse_args()
    for flag in ("filters", "batch_size", "layers"):
        if getattr(a, flag) < 1:
            raise SystemExit(f"--{flag.replace('_', '-')} must be a positive integer, got {getattr(a, flag)}")
    if a.budget_seconds <= 0:
        raise SystemExit(f"--budget-seconds must be positive, got {a.budget_seconds}")

    started = time.time()
    torch.manual_seed(a.seed)
    device = torch.device(a.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: PyTorch sees no CUDA device here (pass --device cpu)")
    amp = a.amp == "on" or (a.amp == "auto" and device.type == "cuda")
    channels_last = device.type == "cuda"
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    manifest = load_manifest(a.data)
    planes = manifest["planes"]
    gpu_name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    log(f"torch {torch.__version__} on {gpu_name}; data {a.data}: {manifest['featureSet']} ({planes} planes), split seed {manifest['splitSeed']}")

    t0 = time.time()
    tr_bits, tr_moves, _ = load_split(a.data, manifest, "train", a.max_positions)
    tr_bits, tr_moves = tr_bits.to(device), tr_moves.to(device)
    n_train = tr_bits.shape[0]
    has_val = manifest["splits"].get("validation") is not None
    val = load_split(a.data, manifest, "validation", a.val_positions) if has_val else None
    log(f"train: {n_train} positions ({tr_bits.numel() / 2**30:.2f} GiB packed) on {device} in {time.time() - t0:.1f} s")

    model = PolicyNet(planes, a.filters, a.layers).to(device)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    n_params = sum(p.numel() for p in model.parameters())
    decay = [p for n, p in model.named_parameters() if n.endswith("weight")]
    no_decay = [p for n, p in model.named_parameters() if not n.endswith("weight")]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": a.weight_decay}, {"params": no_decay, "weight_decay": 0.0}], lr=a.lr, betas=(0.9, 0.999)
    )
    unpack = Unpacker(planes, device)
    log(f"model: {a.filters} filters x {a.layers} layers, {n_params} parameters; batch {a.batch_size}, AdamW peak lr {a.lr}, "
        f"bf16 autocast {'on' if amp else 'off'}, symmetries {'off' if a.no_symmetries else 'random of 8'}")

    gen = torch.Generator(device=device)
    gen.manual_seed(a.seed)
    perm = torch.randperm(n_train, device=device, generator=gen)
    cursor, step, seen, epoch = 0, 0, 0, 0
    lr_scale = 1.0
    history = []
    good = {"model": copy.deepcopy(model.state_dict()), "opt": copy.deepcopy(opt.state_dict()), "step": 0}
    train_time = 0.0
    seg_start = time.time()
    last_log = last_val = last_snap = time.time()
    loss_sum = torch.zeros((), device=device)
    loss_n = 0
    frac = 0.0
    while True:
        now = time.time()
        frac = (train_time + now - seg_start) / a.budget_seconds
        if a.max_steps is not None:
            frac = max(frac, step / a.max_steps)
        if frac >= 1.0:
            break
        lr = lr_at(frac, a.lr, a.warmup, a.final_lr) * lr_scale
        for g in opt.param_groups:
            g["lr"] = lr
        if cursor + a.batch_size > n_train:
            perm = torch.randperm(n_train, device=device, generator=gen)
            cursor = 0
            epoch += 1
        idx = perm[cursor : cursor + min(a.batch_size, n_train)]
        cursor += idx.shape[0]
        sym = None if a.no_symmetries else torch.randint(0, 8, (idx.shape[0],), device=device, generator=gen)
        x, y = unpack(tr_bits[idx], tr_moves[idx], sym)
        x = x.to(torch.bfloat16 if amp else torch.float32)
        if channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=amp):
            logits = model(x)
        loss = F.cross_entropy(logits.float(), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if a.clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
        opt.step()
        loss_sum += loss.detach()
        loss_n += 1
        step += 1
        seen += idx.shape[0]

        now = time.time()
        if now - last_log >= 10 or (a.max_steps is not None and step >= a.max_steps):
            mean = float(loss_sum) / loss_n  # the one sync per log line
            elapsed = train_time + now - seg_start
            if not math.isfinite(mean):
                # Diverged: back to the last good weights with half the learning rate.
                lr_scale *= 0.5
                model.load_state_dict(good["model"])
                opt.load_state_dict(good["opt"])
                log(f"  step {step}: loss {mean}; restored step {good['step']} and halved the learning rate (x{lr_scale})")
            else:
                log(f"  {elapsed:6.0f} s  step {step:6d}  epoch {seen / n_train:5.2f}  lr {lr:.2e}  loss {mean:.4f}  "
                    f"{seen / max(elapsed, 1e-9):8.0f} positions/s")
                history.append({"seconds": round(elapsed, 1), "step": step, "epochs": seen / n_train, "lr": lr, "loss": mean})
                if now - last_snap >= 30:
                    good = {"model": copy.deepcopy(model.state_dict()), "opt": copy.deepcopy(opt.state_dict()), "step": step}
                    last_snap = now
            loss_sum.zero_()
            loss_n = 0
            last_log = now
        if val is not None and now - last_val >= a.val_every:
            train_time += now - seg_start
            r = score(model, unpack, *val, device, amp=amp)
            log(f"  validation ({r['positions']} positions): top-1 {r['top1'] * 100:.2f}%  top-5 {r['top5'] * 100:.2f}%  log-loss {r['logLoss']:.4f}")
            history.append({"seconds": round(train_time, 1), "step": step, "valTop1": r["top1"], "valLogLoss": r["logLoss"]})
            last_val = seg_start = time.time()
    train_time += time.time() - seg_start
    if device.type == "cuda":
        torch.cuda.synchronize()
    rate = seen / max(train_time, 1e-9)
    log(f"trained {step} steps, {seen} examples ({seen / n_train:.2f} epochs of {n_train}) in {train_time:.1f} s: {rate:.0f} positions/s")

    meta = {
        "featureSet": manifest["featureSet"],
        "planes": planes,
        "filters": a.filters,
        "layers": a.layers,
        "splitSeed": manifest["splitSeed"],
        "training": {
            "script": "gpu/train.py",
            "device": gpu_name,
            "torch": torch.__version__,
            "trainPositions": n_train,
            "steps": step,
            "examples": seen,
            "epochs": seen / n_train,
            "seconds": round(train_time, 1),
            "positionsPerSecond": round(rate),
            "batchSize": a.batch_size,
            "optimizer": f"AdamW (peak lr {a.lr}, weight decay {a.weight_decay}, warm-up {a.warmup}, cosine to {a.final_lr} of peak, clip {a.clip})",
            "bf16": amp,
            "symmetries": not a.no_symmetries,
            "seed": a.seed,
        },
    }
    save_weights(model, out, meta)
    log(f"wrote {out / 'weights.json'} and {out / 'weights.f32'}")

    # Scored in float32 (no TF32), as the tfjs model computes.
    if device.type == "cuda":
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False
    results = {"training": meta["training"], "parameters": n_params, "history": history}
    if val is not None:
        results["validation"] = score(model, unpack, *val, device)
        log(f"validation ({results['validation']['positions']} positions): top-1 {results['validation']['top1'] * 100:.2f}%")
    if manifest["splits"].get("test") is not None:
        te = load_split(a.data, manifest, "test", a.eval_positions)
        t1 = time.time()
        r = score(model, unpack, *te, device)
        r["games"] = manifest["splits"]["test"]["games"]
        results["test"] = r
        log(f"test ({r['positions']} positions of {r['games']} games, {time.time() - t1:.1f} s): top-1 {r['top1'] * 100:.2f}%  "
            f"top-5 {r['top5'] * 100:.2f}%  log-loss {r['logLoss']:.4f}")
        for s in r["byMoveNumber"]:
            log(f"  moves {s['moves']:<8} {s['positions']:7d} positions  top-1 {s['top1'] * 100:.1f}%  top-5 {s['top5'] * 100:.1f}%")
    if a.dump_probs > 0:
        bits, _, _ = load_split(a.data, manifest, a.dump_split, a.dump_probs)
        dump_probs(model, bits, out / "probs.f32")
        results["dumped"] = {"split": a.dump_split, "positions": int(bits.shape[0])}
    results["wallSeconds"] = round(time.time() - started, 1)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps({k: results[k] for k in ("training", "parameters", "wallSeconds") if k in results}
                     | {k: {kk: results[k][kk] for kk in ("top1", "top5", "logLoss", "positions")} for k in ("validation", "test") if k in results}))


if __name__ == "__main__":
    sys.exit(main())

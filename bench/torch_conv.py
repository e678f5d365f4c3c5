#!/usr/bin/env python3
"""PyTorch reference for ae's convolutional VAE (the Keras VAE example's shape).

Encoder: Conv2d(C->32, k4, s2, p1) + ReLU, Conv2d(32->64, k4, s2, p1) + ReLU,
flatten (64 x H/4 x W/4 = 3136 for 28x28) -> mean and log-variance (20 each).
Decoder: Linear(20 -> 3136) + ReLU, ConvTranspose2d(64->32, k4, s2, p1) + ReLU,
ConvTranspose2d(32->C, k4, s2, p1) -> logits. Loss: binary cross-entropy
summed over pixels + KL, per row; Adam; rows of an HDF5 dataset in HWC order
(ae's row layout), viewed as NCHW for torch.

Prints one JSON line per epoch ({"epoch", "train_loss", "seconds"}) and a
final line with
  train_loss          mean per-row negative ELBO over the last epoch
  train_seconds       the training loop alone (no import, no loading)
  heldout_elbo        mean negative ELBO (nats) on --heldout rows: exact KL
                      + reconstruction averaged over --samples draws, as
                      ae-score's default VAE score
  heldout_reconstruction, heldout_kl   its two parts
  encode_rows_per_s   posterior means, batches of 256
  score_rows_per_s    negative ELBO per row (1 encoder + --samples decoder
                      passes), batches of 256
and, with --layers, "layers": forward and backward milliseconds of each
convolution at the training batch size (see layer_times).

    python3 bench/torch_conv.py ../shared/data/mnist10k/mnist10k.h5 --threads 2

bench/train can call run() and layer_times() directly (import this file).
"""
import argparse
import json
import math
import statistics
import time

import h5py
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

FILTERS = (32, 64)
KERNEL, STRIDE, PADDING = 4, 2, 1


class ConvVAE(nn.Module):
    def __init__(self, height, width, channels, latent, filters=FILTERS):
        super().__init__()
        self.shape = (channels, height, width)
        first, second = filters
        self.encoder = nn.Sequential(
            nn.Conv2d(channels, first, KERNEL, STRIDE, PADDING), nn.ReLU(),
            nn.Conv2d(first, second, KERNEL, STRIDE, PADDING), nn.ReLU(),
            nn.Flatten())
        self.inner = (second, height // 4, width // 4)
        flat = math.prod(self.inner)
        self.mean = nn.Linear(flat, latent)
        self.logvar = nn.Linear(flat, latent)
        self.decoder = nn.Sequential(
            nn.Linear(latent, flat), nn.ReLU(), nn.Unflatten(1, self.inner),
            nn.ConvTranspose2d(second, first, KERNEL, STRIDE, PADDING), nn.ReLU(),
            nn.ConvTranspose2d(first, channels, KERNEL, STRIDE, PADDING),
            nn.Flatten())

    def images(self, rows):
        """HWC rows -> NCHW tensors (a view for grey images)."""
        c, h, w = self.shape
        return rows.view(-1, h, w, c).permute(0, 3, 1, 2)

    def logits(self, z):
        """Decoder output as HWC rows, to compare with the input rows."""
        c, h, w = self.shape
        return self.decoder(z).view(-1, c, h, w).permute(0, 2, 3, 1).reshape(-1, h * w * c)

    def encode(self, rows):
        hidden = self.encoder(self.images(rows))
        return self.mean(hidden), self.logvar(hidden)


def kl_per_row(mu, logvar):
    return -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp(), dim=1)


def bce_per_row(logits, x):
    return F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)


def load(path, dataset, rows):
    start, stop = (int(v) for v in rows.split(":"))
    with h5py.File(path, "r") as f:
        return torch.from_numpy(np.asarray(f[dataset][start:stop], dtype=np.float32))


def heldout(model, x, samples, batch=256):
    """Mean negative ELBO and its parts; seconds per row for encode and score."""
    rec_total = kl_total = 0.0
    with torch.no_grad():
        t0 = time.perf_counter()
        for xb in x.split(batch):
            model.encode(xb)[0]
        encode_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        for xb in x.split(batch):
            mu, logvar = model.encode(xb)
            std = torch.exp(0.5 * logvar)
            rec = sum(bce_per_row(model.logits(mu + std * torch.randn_like(mu)), xb) for _ in range(samples)) / samples
            kl = kl_per_row(mu, logvar)
            rec_total += rec.sum().item()
            kl_total += kl.sum().item()
        score_seconds = time.perf_counter() - t0
    n = len(x)
    return {"heldout_elbo": (rec_total + kl_total) / n, "heldout_reconstruction": rec_total / n,
            "heldout_kl": kl_total / n, "encode_rows_per_s": n / encode_seconds,
            "score_rows_per_s": n / score_seconds}


def layer_shapes(height=28, width=28, channels=1, filters=FILTERS):
    """(name, module, input shape NCHW without batch) of the four convolutions."""
    first, second = filters
    return [
        ("conv1", nn.Conv2d(channels, first, KERNEL, STRIDE, PADDING), (channels, height, width)),
        ("conv2", nn.Conv2d(first, second, KERNEL, STRIDE, PADDING), (first, height // 2, width // 2)),
        ("convT1", nn.ConvTranspose2d(second, first, KERNEL, STRIDE, PADDING), (second, height // 4, width // 4)),
        ("convT2", nn.ConvTranspose2d(first, channels, KERNEL, STRIDE, PADDING), (first, height // 2, width // 2)),
    ]


def layer_times(batch=128, repeats=30, threads=2):
    """Median milliseconds of forward and of backward (input and weight
    gradients; none for conv1's input, as in training) of each convolution
    of the reference network, at `batch` rows, in torch's NCHW."""
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    result = {}
    for name, layer, shape in layer_shapes():
        x = torch.randn((batch,) + shape, requires_grad=name != "conv1")
        forward, backward = [], []
        for repeat in range(repeats + 3):
            layer.zero_grad()
            t0 = time.perf_counter()
            y = layer(x)
            t1 = time.perf_counter()
            y.backward(torch.ones_like(y))
            t2 = time.perf_counter()
            if repeat >= 3:
                forward.append(t1 - t0)
                backward.append(t2 - t1)
        result[name] = {"forward_ms": 1e3 * statistics.median(forward),
                        "backward_ms": 1e3 * statistics.median(backward)}
    return result


def run(data, dataset="x", rows="0:8000", heldout_rows="8000:10000", shape=(28, 28, 1), latent=20,
        epochs=10, batch=128, lr=1e-3, threads=2, seed=1, samples=16, layers=False, log=print):
    """Trains and evaluates; returns the final summary (see the module doc)."""
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    x = load(data, dataset, rows)
    model = ConvVAE(*shape, latent)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)

    began = time.perf_counter()
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        total = 0.0
        for index in torch.randperm(len(x)).split(batch):
            xb = x[index]
            mu, logvar = model.encode(xb)
            z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
            loss_sum = bce_per_row(model.logits(z), xb).sum() + kl_per_row(mu, logvar).sum()
            optimiser.zero_grad()
            (loss_sum / len(xb)).backward()
            optimiser.step()
            total += loss_sum.item()
        log(json.dumps({"epoch": epoch, "train_loss": total / len(x), "seconds": time.perf_counter() - t0}))
    summary = {"train_loss": total / len(x), "train_seconds": time.perf_counter() - began}
    summary.update(heldout(model, load(data, dataset, heldout_rows), samples))
    if layers:
        summary["layers"] = layer_times(batch=batch, threads=threads)
    return summary


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("--dataset", default="x")
    p.add_argument("--rows", default="0:8000")
    p.add_argument("--heldout", default="8000:10000")
    p.add_argument("--shape", default="28x28x1", help="HxWxC of a row")
    p.add_argument("--latent", type=int, default=20)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--samples", type=int, default=16)
    p.add_argument("--layers", action="store_true", help="also time each convolution")
    a = p.parse_args()
    shape = tuple(int(v) for v in a.shape.split("x"))
    summary = run(a.data, a.dataset, a.rows, a.heldout, shape, a.latent, a.epochs, a.batch, a.lr,
                  a.threads, a.seed, a.samples, a.layers, log=lambda line: print(line, flush=True))
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()

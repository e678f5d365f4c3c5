#!/usr/bin/env python3
"""PyTorch reference for ae-fit: the same MLP autoencoder or VAE, loss, batch
order semantics and optimiser, trained on rows of an HDF5 dataset.

Prints one JSON line per epoch ({"epoch", "train_loss", "seconds"}) and a
final {"train_loss", "train_seconds"} line, where train_seconds covers the
training loop alone (no import, no loading), the figure bench/train compares
against.

    python3 bench/torch_ref.py DATA.h5 --kind vae --hidden 400 --latent 20 \
        --loss bce --epochs 10 --batch 128 --lr 1e-3 --rows 0:8000 --threads 2
"""
import argparse
import json
import time

import h5py
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU, "leaky-relu": nn.LeakyReLU, "elu": nn.ELU,
    "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "identity": nn.Identity,
}


def mlp(widths, activation, activate_last):
    layers = []
    for i, (a, b) in enumerate(zip(widths, widths[1:])):
        layers.append(nn.Linear(a, b))
        if activate_last or i < len(widths) - 2:
            layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


class Model(nn.Module):
    def __init__(self, kind, width, hidden, latent, activation):
        super().__init__()
        self.kind = kind
        self.encoder = mlp([width] + hidden, activation, True) if hidden else nn.Identity()
        top = hidden[-1] if hidden else width
        self.mean = nn.Linear(top, latent)
        self.logvar = nn.Linear(top, latent) if kind == "vae" else None
        self.decoder = mlp([latent] + hidden[::-1] + [width], activation, False)

    def forward(self, x):
        h = self.encoder(x)
        mu = self.mean(h)
        if self.kind == "ae":
            return self.decoder(mu), torch.zeros((), dtype=x.dtype)
        logvar = self.logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return self.decoder(z), kl


def reconstruction(out, x, loss):
    if loss == "bce":
        return F.binary_cross_entropy_with_logits(out, x, reduction="sum")
    return F.mse_loss(out, x, reduction="sum")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("--dataset", default="x")
    p.add_argument("--rows", default="0:8000")
    p.add_argument("--kind", default="vae")
    p.add_argument("--hidden", default="400")
    p.add_argument("--latent", type=int, default=20)
    p.add_argument("--activation", default="relu")
    p.add_argument("--loss", default="bce")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    start, stop = (int(v) for v in a.rows.split(":"))
    with h5py.File(a.data, "r") as f:
        x = torch.from_numpy(np.asarray(f[a.dataset][start:stop], dtype=np.float32))
    hidden = [int(v) for v in a.hidden.split(",") if v]
    model = Model(a.kind, x.shape[1], hidden, a.latent, a.activation)
    optimiser = torch.optim.Adam(model.parameters(), lr=a.lr)

    began = time.perf_counter()
    for epoch in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        total = 0.0
        for batch in torch.randperm(len(x)).split(a.batch):
            xb = x[batch]
            out, kl = model(xb)
            loss_sum = reconstruction(out, xb, a.loss) + kl
            optimiser.zero_grad()
            (loss_sum / len(xb)).backward()
            optimiser.step()
            total += loss_sum.item()
        print(json.dumps({"epoch": epoch, "train_loss": total / len(x), "seconds": time.perf_counter() - t0}), flush=True)
    print(json.dumps({"train_loss": total / len(x), "train_seconds": time.perf_counter() - began}), flush=True)


if __name__ == "__main__":
    main()

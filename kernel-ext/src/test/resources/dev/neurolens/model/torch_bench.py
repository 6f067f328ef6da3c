"""Peer timing for the Java benchmark: forward + backward to the input, 1x3xSIZExSIZE, eval mode.

Usage: /usr/bin/python3 torch_bench.py ARCH THREADS WARMUP ITERS SIZE  -> prints the median in ms
"""
import statistics
import sys
import time

import torch
import torchvision

arch, threads, warmup, iters, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(threads)
torch.manual_seed(0)
model = getattr(torchvision.models, arch)(weights=None).eval()
x0 = torch.randn(1, 3, size, size)
times = []
for i in range(warmup + iters):
    x = x0.clone().requires_grad_(True)
    t = time.perf_counter()
    model(x)[:, 7].sum().backward()
    _ = x.grad.sum().item()
    if i >= warmup:
        times.append((time.perf_counter() - t) * 1000)
print(f"{statistics.median(times):.2f}")

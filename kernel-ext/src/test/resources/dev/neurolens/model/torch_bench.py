"""Peer timing for the Java benchmarks, 1x3xSIZExSIZE, eval mode.

Usage: /usr/bin/python3 torch_bench.py ARCH THREADS WARMUP ITERS SIZE [METHOD [LAYER]]  -> prints the median in ms
METHOD: backward (default; forward + backward to the input), saliency (that plus max |grad| over channels),
gradcam (hooked layer, forward + backward, weighted sum, relu, bilinear upsample), occlusion (patch 32,
stride 32, fill 0, 16 occluded copies per forward pass (as Neurolens' default at 224 px), no grad), occlusion1 (the same, one pass per patch).
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
method = sys.argv[6] if len(sys.argv) > 6 else "backward"
layer = sys.argv[7] if len(sys.argv) > 7 else None
modules = dict(model.named_modules())


def saliency():
    x = x0.clone().requires_grad_(True)
    model(x)[:, 7].sum().backward()
    return x.grad.abs().amax(dim=1)


def gradcam():
    holder = {}

    def hook(m, i, o):
        o2 = o.clone()
        o2.retain_grad()
        holder["o"] = o2
        return o2

    h = modules[layer].register_forward_hook(hook)
    model(x0)[:, 7].sum().backward()
    h.remove()
    a = holder["o"]
    w = a.grad.mean(dim=(2, 3), keepdim=True)
    cam = torch.relu((a * w).sum(dim=1, keepdim=True))
    return torch.nn.functional.interpolate(cam, size=(size, size), mode="bilinear", align_corners=False)


def occlusion(batch):
    patch, stride = 32, 32
    with torch.no_grad():
        base = model(x0)[0, 7]
        pos = [(y, x) for y in range(0, size - patch + 1, stride) for x in range(0, size - patch + 1, stride)]
        heat = torch.zeros(size, size)
        count = torch.zeros(size, size)
        for k in range(0, len(pos), batch):
            chunk = pos[k:k + batch]
            xs = x0.repeat(len(chunk), 1, 1, 1)
            for j, (y, x) in enumerate(chunk):
                xs[j, :, y:y + patch, x:x + patch] = 0
            drops = base - model(xs)[:, 7]
            for j, (y, x) in enumerate(chunk):
                heat[y:y + patch, x:x + patch] += drops[j]
                count[y:y + patch, x:x + patch] += 1
        return heat / count.clamp(min=1)


def backward():
    x = x0.clone().requires_grad_(True)
    model(x)[:, 7].sum().backward()
    return x.grad.sum().item()


run = {"backward": backward, "saliency": saliency, "gradcam": gradcam,
       "occlusion": lambda: occlusion(16), "occlusion1": lambda: occlusion(1)}[method]
times = []
for i in range(warmup + iters):
    t = time.perf_counter()
    r = run()
    if torch.is_tensor(r):
        r.sum().item()
    if i >= warmup:
        times.append((time.perf_counter() - t) * 1000)
print(f"{statistics.median(times):.2f}")

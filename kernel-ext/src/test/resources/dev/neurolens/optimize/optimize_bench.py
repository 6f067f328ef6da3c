"""Peer timing for OptimizeBenchmark (test-only): python torch doing what Neurolens does, same threads.

Usage: /usr/bin/python3 optimize_bench.py style ARCH SIZE THREADS WARMUP ITERS   -> median ms per iteration
       /usr/bin/python3 optimize_bench.py fast SIZE THREADS WARMUP ITERS         -> median ms per forward pass

style: one style-transfer iteration: forward to the deepest content/style layer, content + style (Gram) + tv
losses divided by their targets' energy, backward, Adam step, per-channel clamp to valid pixels.
"""
import statistics
import sys
import time

import torch
import torchvision

LAYERS = {  # module indices in .features: (content, [style...])
    "vgg16": (22, [1, 6, 11, 18, 25]),          # relu4_2; relu1_1 relu2_1 relu3_1 relu4_1 relu5_1
    "squeezenet1_1": (6, [1, 4, 6, 7, 10]),     # fire4; relu1 fire3 fire4 fire5 fire7
}


def gram(f):
    n, c, h, w = f.shape
    f = f.reshape(n, c, h * w)
    return f.bmm(f.transpose(1, 2)) / (c * h * w)


def features(net, x, wanted):
    out = {}
    last = max(wanted)
    for i, m in enumerate(net.features):
        x = m(x)
        if i in wanted:
            out[i] = x.clone()  # torchvision's in-place ReLUs would otherwise overwrite a captured conv output
        if i == last:
            break
    return out


def style(arch, size, warmup, iters):
    torch.manual_seed(0)
    net = getattr(torchvision.models, arch)(weights=None).eval()
    for p in net.parameters():
        p.requires_grad_(False)
    content_layer, style_layers = LAYERS[arch]
    g = torch.Generator().manual_seed(1)
    content = torch.randn(1, 3, size, size, generator=g)
    style_img = torch.randn(1, 3, size, size, generator=g)
    with torch.no_grad():
        target = features(net, content, {content_layer})[content_layer]
        fs = features(net, style_img, set(style_layers))
        grams = {i: gram(fs[i]) for i in style_layers}
    wanted = set(style_layers) | {content_layer}
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    lo, hi = -mean / std, (1 - mean) / std
    x = content.clone().requires_grad_(True)
    opt = torch.optim.Adam([x], lr=0.05)
    times = []
    for i in range(warmup + iters):
        t = time.perf_counter()
        opt.zero_grad()
        f = features(net, x, wanted)
        loss = ((f[content_layer] - target) ** 2).mean() / (target ** 2).mean()
        for l in style_layers:
            loss = loss + 100 / len(style_layers) * ((gram(f[l]) - grams[l]) ** 2).mean() / (grams[l] ** 2).mean()
        loss = loss + 0.1 * (((x[:, :, 1:] - x[:, :, :-1]) ** 2).mean() + ((x[:, :, :, 1:] - x[:, :, :, :-1]) ** 2).mean())
        loss.backward()
        opt.step()
        with torch.no_grad():
            x.copy_(torch.maximum(torch.minimum(x, hi), lo))
        _ = float(loss)
        if i >= warmup:
            times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


class Block(torch.nn.Module):
    def __init__(self, i, o, k, s, up=None, norm=True, relu=True):
        super().__init__()
        self.up, self.relu = up, relu
        self.pad = torch.nn.ReflectionPad2d(k // 2)
        self.conv2d = torch.nn.Conv2d(i, o, k, s)
        self.norm = torch.nn.InstanceNorm2d(o, affine=True) if norm else None

    def forward(self, x):
        if self.up:
            x = torch.nn.functional.interpolate(x, mode="nearest", scale_factor=self.up)
        y = self.conv2d(self.pad(x))
        if self.norm is not None:
            y = self.norm(y)
        return torch.relu(y) if self.relu else y


class Res(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = Block(128, 128, 3, 1)
        self.b = Block(128, 128, 3, 1, relu=False)

    def forward(self, x):
        return self.b(self.a(x)) + x


def fast(size, warmup, iters):
    torch.manual_seed(0)
    net = torch.nn.Sequential(Block(3, 32, 9, 1), Block(32, 64, 3, 2), Block(64, 128, 3, 2),
                              *[Res() for _ in range(5)], Block(128, 64, 3, 1, 2), Block(64, 32, 3, 1, 2),
                              Block(32, 3, 9, 1, norm=False, relu=False)).eval()
    x = torch.rand(1, 3, size, size) * 255
    times = []
    with torch.no_grad():
        for i in range(warmup + iters):
            t = time.perf_counter()
            y = net(x)
            _ = float(y[0, 0, 0, 0])
            if i >= warmup:
                times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    if sys.argv[1] == "style":
        arch, size, threads, warmup, iters = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
        torch.set_num_threads(threads)
        print(f"{style(arch, size, warmup, iters):.2f}")
    else:
        size, threads, warmup, iters = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        torch.set_num_threads(threads)
        print(f"{fast(size, warmup, iters):.2f}")

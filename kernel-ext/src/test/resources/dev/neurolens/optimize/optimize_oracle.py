"""Oracle for the optimize package's parity tests (test-only; the product never runs python).

Usage: /usr/bin/python3 optimize_oracle.py OUT_DIR

Writes raw little-endian float32 files and oracle.json describing them:
  losses:  Gram matrix, content, style, total variation and L2 of fixed random tensors, with the
           library's definitions (means; Gram divided by C*H*W);
  style:   a squeezenet1_1 (seed 0, random init, saved as squeezenet.pth) content + style + tv loss at 64 px,
           with its gradient with respect to the image;
  fast:    pytorch/examples' TransformerNet, plain (1 style) and with conditional instance norm (2 styles,
           blend 0.3/0.7), random weights saved as .pth, and their outputs on a fixed 0-255 image.
"""
import json
import os
import sys

import torch
import torchvision

out_dir = sys.argv[1]
torch.set_num_threads(int(os.environ.get("ORACLE_THREADS", "2")))
meta = {}


def save(name, t):
    fname = name + ".f32"
    t.detach().contiguous().numpy().astype("<f4").tofile(os.path.join(out_dir, fname))
    return {"file": fname, "shape": list(t.shape)}


def gram(f):
    n, c, h, w = f.shape
    f = f.reshape(n, c, h * w)
    return f.bmm(f.transpose(1, 2)) / (c * h * w)


def content_loss(f, p):
    return ((f - p) ** 2).mean()


def style_loss(f, a):
    return ((gram(f) - a) ** 2).mean()


def tv(x):
    return ((x[:, :, 1:, :] - x[:, :, :-1, :]) ** 2).mean() + ((x[:, :, :, 1:] - x[:, :, :, :-1]) ** 2).mean()


# ---- losses on fixed tensors ----
g = torch.Generator().manual_seed(3)
F = torch.randn(2, 8, 6, 5, generator=g)
P = torch.randn(2, 8, 6, 5, generator=g)
A = torch.rand(1, 8, 8, generator=g) * 0.5
X = torch.randn(1, 3, 10, 12, generator=g)
meta["losses"] = {
    "F": save("F", F), "P": save("P", P), "A": save("A", A), "X": save("X", X),
    "gram": save("gram", gram(F)),
    "content": float(content_loss(F, P)), "style": float(style_loss(F, A)), "tv": float(tv(X)),
    "l2": float((X ** 2).mean()),
}

# ---- a full style loss through squeezenet ----
torch.manual_seed(0)
net = torchvision.models.squeezenet1_1(weights=None).eval()
torch.save(net.state_dict(), os.path.join(out_dir, "squeezenet.pth"))
content = torch.randn(1, 3, 64, 64, generator=g)
style = torch.randn(1, 3, 80, 72, generator=g)
image = torch.randn(1, 3, 64, 64, generator=g)
style_layers = {1: "relu1", 4: "fire3", 6: "fire4", 7: "fire5"}
content_layer = 6


def features(x):
    out = {}
    for i, m in enumerate(net.features):
        x = m(x)
        if i in style_layers or i == content_layer:
            out[i] = x.clone()
        if i >= max(max(style_layers), content_layer):
            break
    return out


with torch.no_grad():
    fc = features(content)
    fs = features(style)
    grams = {i: gram(fs[i]) for i in style_layers}
x = image.clone().requires_grad_(True)
fx = features(x)
loss_c = content_loss(fx[content_layer], fc[content_layer])
loss_s = sum(style_loss(fx[i], grams[i]) * w for i, w in zip(style_layers, [1.0, 0.5, 0.25, 2.0]))
loss_t = tv(x)
total = loss_c * 0.7 + loss_s * 30.0 + loss_t * 0.05
total.backward()
meta["style"] = {"content": save("content", content), "style": save("style", style), "image": save("image", image),
                 "weights": [1.0, 0.5, 0.25, 2.0], "layers": list(style_layers.values()),
                 "content_layer": "fire4", "content_weight": 0.7, "style_weight": 30.0, "tv_weight": 0.05,
                 "loss": float(total), "loss_content": float(loss_c), "loss_style": float(loss_s),
                 "gradient": save("gradient", x.grad)}


# ---- fast style: pytorch/examples' TransformerNet, with optional conditional instance norm ----
class CondIN(torch.nn.Module):
    def __init__(self, c, styles):
        super().__init__()
        self.styles = styles
        if styles == 1:
            self.norm = torch.nn.InstanceNorm2d(c, affine=True)
        else:
            self.norm = torch.nn.InstanceNorm2d(c, affine=False)
            self.weight = torch.nn.Parameter(torch.ones(styles, c))
            self.bias = torch.nn.Parameter(torch.zeros(styles, c))

    def forward(self, x, blend):
        if self.styles == 1:
            return self.norm(x)
        gamma = (blend[:, None] * self.weight).sum(0)
        beta = (blend[:, None] * self.bias).sum(0)
        return self.norm(x) * gamma[None, :, None, None] + beta[None, :, None, None]


class ConvLayer(torch.nn.Module):
    def __init__(self, i, o, k, s, upsample=None):
        super().__init__()
        self.upsample = upsample
        self.pad = torch.nn.ReflectionPad2d(k // 2)
        self.conv2d = torch.nn.Conv2d(i, o, k, s)

    def forward(self, x):
        if self.upsample:
            x = torch.nn.functional.interpolate(x, mode="nearest", scale_factor=self.upsample)
        return self.conv2d(self.pad(x))


class Res(torch.nn.Module):
    def __init__(self, c, styles, act):
        super().__init__()
        self.act = act
        self.conv1 = ConvLayer(c, c, 3, 1)
        self.in1 = CondIN(c, styles)
        self.conv2 = ConvLayer(c, c, 3, 1)
        self.in2 = CondIN(c, styles)

    def forward(self, x, b):
        y = self.act(self.in1(self.conv1(x), b))
        return self.in2(self.conv2(y), b) + x


class TransformerNet(torch.nn.Module):
    # act: torch.relu as pytorch/examples, or leaky ReLU (slope 0.2) as the networks Neurolens trains
    def __init__(self, styles, act=torch.relu):
        super().__init__()
        self.act = act
        self.conv1, self.in1 = ConvLayer(3, 32, 9, 1), CondIN(32, styles)
        self.conv2, self.in2 = ConvLayer(32, 64, 3, 2), CondIN(64, styles)
        self.conv3, self.in3 = ConvLayer(64, 128, 3, 2), CondIN(128, styles)
        for r in range(1, 6):
            setattr(self, f"res{r}", Res(128, styles, act))
        self.deconv1, self.in4 = ConvLayer(128, 64, 3, 1, 2), CondIN(64, styles)
        self.deconv2, self.in5 = ConvLayer(64, 32, 3, 1, 2), CondIN(32, styles)
        self.deconv3 = ConvLayer(32, 3, 9, 1)

    def forward(self, x, b):
        y = self.act(self.in1(self.conv1(x), b))
        y = self.act(self.in2(self.conv2(y), b))
        y = self.act(self.in3(self.conv3(y), b))
        for r in range(1, 6):
            y = getattr(self, f"res{r}")(y, b)
        y = self.act(self.in4(self.deconv1(y), b))
        y = self.act(self.in5(self.deconv2(y), b))
        return self.deconv3(y)


def state_dict_of(m):
    # conditional norms keep weight/bias directly; plain ones under .norm: rename to pytorch/examples' keys
    return {k.replace(".norm.", "."): v for k, v in m.state_dict().items()}


meta["fast"] = []
pixels = torch.rand(1, 3, 64, 48, generator=g) * 255
meta["fast_input"] = save("fast_input", pixels)
leaky_relu = lambda x: torch.nn.functional.leaky_relu(x, 0.2)
for styles, blend, leaky in [(1, [1.0], False), (2, [0.3, 0.7], False), (2, [0.6, 0.4], True)]:
    torch.manual_seed(1)
    t = TransformerNet(styles, leaky_relu if leaky else torch.relu).eval()
    with torch.no_grad():
        for name, p in t.named_parameters():
            if name.endswith("weight") and p.dim() <= 2:
                p.copy_(torch.rand(p.shape, generator=g) + 0.5)
            elif name.endswith("bias") and p.dim() <= 2 and "conv2d" not in name:
                p.copy_(torch.randn(p.shape, generator=g) * 0.1)
        y = t(pixels, torch.tensor(blend))
    pth = f"fast{styles}{'_leaky' if leaky else ''}.pth"
    torch.save(state_dict_of(t), os.path.join(out_dir, pth))
    meta["fast"].append({"styles": styles, "blend": blend, "leaky": leaky, "pth": pth,
                         "output": save(pth[:-4] + "_out", y)})

with open(os.path.join(out_dir, "oracle.json"), "w") as f:
    json.dump(meta, f, indent=1)
print("ok", flush=True)

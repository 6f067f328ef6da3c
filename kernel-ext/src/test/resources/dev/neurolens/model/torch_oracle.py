"""Oracle for the Java parity tests: torchvision architectures, fixed seed, random init.

Usage: /usr/bin/python3 torch_oracle.py OUT_DIR ARCH[@SIZE]|--script ...

For each architecture writes OUT_DIR/<tag>.pth (a state_dict saved with torch.save), the input, chosen
intermediate outputs, the logits and input gradients as raw little-endian float32 files, and <tag>.json
describing them. Test-only: the product never runs python.
"""
import json
import os
import sys

import torch
import torchvision

# layer captured -> for the gradient checks: (layer, channel); scalar = out[:, channel].mean()
PLANS = {
    "squeezenet1_1": dict(size=64, capture=["features.0", "features.3.squeeze", "features.3.expand3x3",
                                            "features.3", "features.12", "classifier.1"],
                          grads=[("output", 7), ("features.12", 5)]),
    "alexnet": dict(size=64, capture=["features.0", "features.10", "features.12", "classifier.4"],
                    grads=[("output", 7), ("features.10", 3)]),
    "vgg16": dict(size=64, capture=["features.0", "features.22", "features.28", "classifier.0"],
                  grads=[("output", 7), ("features.28", 10)]),
    "vgg19": dict(size=64, capture=["features.16", "features.34", "classifier.3"],
                  grads=[("output", 7), ("features.34", 10)]),
    "resnet18": dict(size=64, capture=["conv1", "bn1", "maxpool", "layer1.0.conv2", "layer2.0.downsample.1",
                                       "layer3.0", "layer4.1.conv2", "layer4.1", "avgpool"],
                     grads=[("output", 7), ("layer3.0", 2)]),
}


def save(out_dir, tag, name, t):
    fname = f"{tag}__{name}.f32"
    t.detach().contiguous().numpy().astype("<f4").tofile(os.path.join(out_dir, fname))
    return {"file": fname, "shape": list(t.shape)}


def randomize_batchnorm(model, gen):
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(n, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(n, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(n, generator=gen) * 0.1)


def run(out_dir, spec):
    arch, _, size = spec.partition("@")
    plan = PLANS[arch]
    size = int(size) if size else plan["size"]
    tag = f"{arch}_{size}"
    torch.manual_seed(0)
    model = getattr(torchvision.models, arch)(weights=None)
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        randomize_batchnorm(model, gen)
    model.eval()
    torch.save(model.state_dict(), os.path.join(out_dir, tag + ".pth"))

    x = torch.randn(2, 3, size, size, generator=gen)
    meta = {"arch": arch, "size": size, "pth": tag + ".pth", "input": save(out_dir, tag, "input", x),
            "outputs": {}, "gradients": []}
    modules = dict(model.named_modules())
    captured = {}
    # clone: torchvision's in-place ReLUs would overwrite a conv's output after the hook saw it
    hooks = [modules[n].register_forward_hook(lambda m, i, o, n=n: captured.__setitem__(n, o.detach().clone()))
             for n in plan["capture"]]
    with torch.no_grad():
        logits = model(x)
    for h in hooks:
        h.remove()
    meta["outputs"]["output"] = save(out_dir, tag, "output", logits)
    for n in plan["capture"]:
        meta["outputs"][n] = save(out_dir, tag, n.replace(".", "_"), captured[n])

    for layer, channel in plan["grads"]:
        xg = x.clone().requires_grad_(True)
        holder = {}
        h = None
        # clone keeps the graph but protects the value from a following in-place ReLU
        if layer != "output":
            h = modules[layer].register_forward_hook(lambda m, i, o: holder.__setitem__("o", o.clone()))
        out = model(xg)
        if h is not None:
            h.remove()
            out = holder["o"]
        scalar = out[:, channel].mean()
        scalar.backward()
        entry = save(out_dir, tag, f"grad_{layer.replace('.', '_')}_{channel}", xg.grad)
        entry.update({"layer": layer, "channel": channel, "value": float(scalar)})
        meta["gradients"].append(entry)

    with open(os.path.join(out_dir, tag + ".json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(tag, "ok", flush=True)


# ---- attribution references: `torch_oracle.py OUT_DIR attr:ARCH[@SIZE]` ----
# arch -> (Grad-CAM layer, (layer, channel) for a guided-backprop unit target)
ATTR_PLANS = {
    "squeezenet1_1": ("features.12", ("features.7", 3)),
    "resnet18": ("layer4", ("layer3.0", 2)),
    "vgg16": ("features.29", ("features.21", 5)),
}


class GuidedReLUFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g.clamp(min=0) * (x > 0).to(g.dtype)


class GuidedReLU(torch.nn.Module):
    def forward(self, x):
        return GuidedReLUFn.apply(x)


def guided_copy(model):
    import copy
    m = copy.deepcopy(model)
    for name, mod in list(m.named_modules()):
        for child_name, child in list(mod.named_children()):
            if isinstance(child, torch.nn.ReLU):
                setattr(mod, child_name, GuidedReLU())
    return m.eval()


def layer_output(model, layer, x):
    """Output of `layer` (cloned so in-place ops after it cannot touch it; gradient retained) and the logits."""
    modules = dict(model.named_modules())
    holder = {}

    def hook(m, i, o):
        o2 = o.clone()
        o2.retain_grad()
        holder["o"] = o2
        return o2

    h = modules[layer].register_forward_hook(hook)
    logits = model(x)
    h.remove()
    return holder["o"], logits


def attribution(out_dir, spec):
    arch, _, size = spec.partition("@")
    size = int(size) if size else 64
    tag = f"attr_{arch}_{size}"
    cam_layer, (unit_layer, unit_channel) = ATTR_PLANS[arch]
    torch.manual_seed(0)
    model = getattr(torchvision.models, arch)(weights=None)
    gen = torch.Generator().manual_seed(2)
    with torch.no_grad():
        randomize_batchnorm(model, gen)
    model.eval()
    torch.save(model.state_dict(), os.path.join(out_dir, tag + ".pth"))
    x = torch.randn(2, 3, size, size, generator=gen)
    meta = {"arch": arch, "size": size, "pth": tag + ".pth", "input": save(out_dir, tag, "input", x),
            "cls": 7, "cam_layer": cam_layer, "unit_layer": unit_layer, "unit_channel": unit_channel}

    # vanilla gradient saliency for class 7: max |d logit_7 / dx| over channels
    xg = x.clone().requires_grad_(True)
    model(xg)[:, 7].sum().backward()
    meta["saliency"] = save(out_dir, tag, "saliency", xg.grad.abs().amax(dim=1))

    # Grad-CAM for class 7 and for each image's predicted class
    with torch.no_grad():
        pred = model(x).argmax(dim=1)
    meta["predicted"] = pred.tolist()
    for name, cls in [("cam", torch.full((2,), 7)), ("cam_pred", pred)]:
        a, logits = layer_output(model, cam_layer, x)
        logits.gather(1, cls[:, None]).sum().backward()
        w = a.grad.mean(dim=(2, 3), keepdim=True)
        cam = torch.relu((a * w).sum(dim=1))
        up = torch.nn.functional.interpolate(cam[:, None], size=(size, size), mode="bilinear", align_corners=False)[:, 0]
        meta[name] = save(out_dir, tag, name, cam)
        meta[name + "_up"] = save(out_dir, tag, name + "_up", up)

    # guided backprop for class 7 and for a channel's spatial mean
    g = guided_copy(model)
    xg = x.clone().requires_grad_(True)
    g(xg)[:, 7].sum().backward()
    meta["guided"] = save(out_dir, tag, "guided", xg.grad)
    xg = x.clone().requires_grad_(True)
    a, _ = layer_output(g, unit_layer, xg)
    a[:, unit_channel].mean(dim=(1, 2)).sum().backward()
    meta["guided_unit"] = save(out_dir, tag, "guided_unit", xg.grad)

    with open(os.path.join(out_dir, tag + ".json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(tag, "ok", flush=True)


# ---- a user's TorchScript model: `torch_oracle.py OUT_DIR --script` ----
from typing import Dict  # noqa: E402


class UserNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = torch.nn.BatchNorm2d(8)
        self.conv2 = torch.nn.Conv2d(8, 16, 3, stride=2)
        self.drop = torch.nn.Dropout(0.5)
        self.fc = torch.nn.Linear(16, 5)

    @torch.jit.export
    def activations(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        a = self.bn1(self.conv1(x))
        b = self.conv2(torch.relu(a))
        return {"conv1": a, "conv2": b}

    def forward(self, x):
        b = self.activations(x)["conv2"]
        return self.fc(self.drop(torch.relu(b).mean(dim=(2, 3))))


def script(out_dir):
    torch.manual_seed(0)
    m = UserNet()
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        randomize_batchnorm(m, gen)
    m.eval()
    torch.jit.script(m).save(os.path.join(out_dir, "user.pt"))
    x = torch.randn(2, 3, 16, 16, generator=gen)
    meta = {"input": save(out_dir, "user", "input", x), "outputs": {}, "gradients": []}
    with torch.no_grad():
        meta["outputs"]["output"] = save(out_dir, "user", "output", m(x))
        for k, v in m.activations(x).items():
            meta["outputs"][k] = save(out_dir, "user", k, v)
    for layer, channel in [("output", 3), ("conv2", 5)]:
        xg = x.clone().requires_grad_(True)
        out = m(xg) if layer == "output" else m.activations(xg)[layer]
        s = out[:, channel].mean()
        s.backward()
        entry = save(out_dir, "user", f"grad_{layer}_{channel}", xg.grad)
        entry.update({"layer": layer, "channel": channel, "value": float(s)})
        meta["gradients"].append(entry)
    with open(os.path.join(out_dir, "user.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print("user script ok", flush=True)


if __name__ == "__main__":
    torch.set_num_threads(int(os.environ.get("ORACLE_THREADS", "2")))
    target = sys.argv[1]
    os.makedirs(target, exist_ok=True)
    for spec in sys.argv[2:]:
        if spec == "--script":
            script(target)
        elif spec.startswith("attr:"):
            attribution(target, spec[len("attr:"):])
        else:
            run(target, spec)

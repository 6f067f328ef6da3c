"""Python peer of FeaturesBenchmark (python torch and scikit-learn doing the same work as Neurolens).

usage:
  features_bench.py tsne X_FILE THREADS ITERATIONS ROWS
      scikit-learn's Barnes-Hut t-SNE of the first ROWS rows of X_FILE (big-endian int32 n, d, then n x d float32);
      perplexity 30, PCA init, learning rate 'auto', angle 0.5.
  features_bench.py topk WEIGHTS DATA_DIR N THREADS BATCH K RF_SIZE RF_STRIDE RF_OFFSET OUT_FILE REPEATS
      top-K patches of every unit of fashion_cnn's conv3 (features.6) over the first N Fashion-MNIST pictures
      (test then train; after a warm-up, the median of REPEATS passes), streamed in batches with a running top-K per unit, then each winner cropped at its
      receptive field (gray outside the picture); the top-K values go to OUT_FILE (K x C float32, big-endian).
Prints key=value lines; seconds exclude reading the inputs; maxrss_kb is the process's peak resident memory.
"""
import gzip
import json
import resource
import struct
import sys
import time

import numpy as np


def maxrss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def tsne(path, threads, iterations, rows):
    import sklearn
    from sklearn.manifold import TSNE
    raw = open(path, "rb").read()
    n, d = struct.unpack(">ii", raw[:8])
    x = np.frombuffer(raw[8:], dtype=">f4").reshape(n, d)[:rows].astype(np.float32)
    t0 = time.time()
    model = TSNE(n_components=2, perplexity=30, init="pca", learning_rate="auto", n_iter=iterations, angle=0.5,
                 method="barnes_hut", random_state=0, n_jobs=threads)
    model.fit_transform(x)
    secs = time.time() - t0
    print(f"seconds={secs:.3f}")
    print(f"kl={model.kl_divergence_:.4f}")
    print(f"version=scikit-learn {sklearn.__version__}")
    print(f"maxrss_kb={maxrss_kb()}")


def read_safetensors(path):
    import torch
    raw = open(path, "rb").read()
    (hlen,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + hlen])
    base = 8 + hlen
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        assert meta["dtype"] == "F32", meta["dtype"]
        a, b = meta["data_offsets"]
        arr = np.frombuffer(raw[base + a:base + b], dtype="<f4").reshape(meta["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


def idx_images(path):
    raw = gzip.open(path, "rb").read()
    n, h, w = struct.unpack(">iii", raw[4:16])
    return np.frombuffer(raw[16:], dtype=np.uint8).reshape(n, h, w)


def topk(weights, data_dir, n, threads, batch, k, rf_size, rf_stride, rf_offset, out_file, repeats):
    import torch
    from torch import nn
    torch.set_num_threads(threads)
    print(f"version=torch {torch.__version__}")
    sd = read_safetensors(weights)
    net = nn.Sequential(nn.Conv2d(1, 32, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2, 2),
                        nn.Conv2d(32, 64, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2, 2),
                        nn.Conv2d(64, 64, 3, 1, 1))
    net.load_state_dict({key[len("features."):]: v for key, v in sd.items()
                         if key.startswith("features.") and int(key.split(".")[1]) <= 6})
    net.eval()
    images = np.concatenate([idx_images(f"{data_dir}/t10k-images-idx3-ubyte.gz"),
                             idx_images(f"{data_dir}/train-images-idx3-ubyte.gz")])[:n]
    mean, std = 0.2860, 0.3530

    def run(limit):
        best_v = best_i = best_p = None
        with torch.no_grad():
            for s in range(0, limit, batch):
                e = min(limit, s + batch)
                x = torch.from_numpy(images[s:e]).float().div_(255).sub_(mean).div_(std).unsqueeze(1)
                y = net(x)
                width = y.shape[3]
                v, a = y.flatten(2).max(2)  # B x C: each picture's strongest position per unit
                ids = torch.arange(s, e).unsqueeze(1).expand_as(v)
                if best_v is not None:
                    v, ids, a = torch.cat([best_v, v]), torch.cat([best_i, ids]), torch.cat([best_p, a])
                top, idx = v.topk(min(k, v.shape[0]), dim=0)
                best_v, best_i, best_p = top, ids.gather(0, idx), a.gather(0, idx)
        # crop each winner at its receptive field, gray outside the picture
        pad = rf_size
        padded = np.pad(images[:limit], ((0, 0), (pad, pad), (pad, pad)), constant_values=128)
        crops = []
        for r in range(best_v.shape[0]):
            for c in range(best_v.shape[1]):
                img, pos = int(best_i[r, c]), int(best_p[r, c])
                y0 = rf_offset + rf_stride * (pos // width) + pad
                x0 = rf_offset + rf_stride * (pos % width) + pad
                crops.append(padded[img, y0:y0 + rf_size, x0:x0 + rf_size].copy())
        return best_v, crops

    run(min(n, 2 * batch))  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.time()
        best_v, crops = run(n)
        times.append(time.time() - t0)
    secs = sorted(times)[repeats // 2]
    best_v.numpy().astype(">f4").tofile(out_file)
    print(f"seconds={secs:.3f}")
    print(f"images_per_s={n / secs:.1f}")
    print(f"crops={len(crops)}")
    print(f"maxrss_kb={maxrss_kb()}")


if __name__ == "__main__":
    if sys.argv[1] == "tsne":
        tsne(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        a = sys.argv[2:]
        topk(a[0], a[1], int(a[2]), int(a[3]), int(a[4]), int(a[5]), int(a[6]), int(a[7]), int(a[8]), a[9], int(a[10]))

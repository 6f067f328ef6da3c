"""Oracle for TsneTest: scikit-learn's t-SNE on the same data, and trustworthiness of both embeddings.

usage: tsne_oracle.py DIR NAME... ; DIR/NAME.x.f32 (n x d float32, big-endian header n, d as int32),
DIR/NAME.ours.f64 (n x 2 float64 big-endian). Prints one JSON line per NAME.
"""
import json
import sys
import time

import numpy as np
from sklearn.manifold import TSNE, trustworthiness


def read(path, dtype, cols=None):
    raw = open(path, "rb").read()
    n, d = np.frombuffer(raw[:8], dtype=">i4")
    a = np.frombuffer(raw[8:], dtype=dtype).reshape(n, d)
    return a.astype(np.float64)


out_dir = sys.argv[1]
for name in sys.argv[2:]:
    x = read(f"{out_dir}/{name}.x.f32", ">f4")
    ours = read(f"{out_dir}/{name}.ours.f64", ">f8")
    t0 = time.time()
    tsne = TSNE(n_components=2, perplexity=30, init="pca", learning_rate="auto", random_state=0,
                method="exact" if len(x) <= 1000 else "barnes_hut", n_jobs=2)
    theirs = tsne.fit_transform(x)
    secs = time.time() - t0
    k = 10
    print(json.dumps({"name": name, "trust_ours": float(trustworthiness(x, ours, n_neighbors=k)),
                      "trust_sklearn": float(trustworthiness(x, theirs, n_neighbors=k)),
                      "kl_sklearn": float(tsne.kl_divergence_), "seconds_sklearn": secs}), flush=True)

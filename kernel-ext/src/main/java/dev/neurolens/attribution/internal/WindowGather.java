package dev.neurolens.attribution.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.neurolens.model.WindowKernel;
import dev.neurolens.model.WindowedMap;
import dev.neurolens.model.Windows;

import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Halos and whole maps for incremental passes. Activations are handled as rows of channels (channels-last):
 * one row selection from the unoccluded activation, kept in that layout per image, then one put of the
 * windows' rows, so neither the whole unoccluded map nor the windows are copied or transposed per batch.
 */
final class WindowGather {
    /** The base activations of the image being run, which also keep their row layouts (see {@link #baseRows}). */
    private final Map<String, NDArray> cache;
    private final Set<NDArray> cacheable = Collections.newSetFromMap(new IdentityHashMap<>());

    WindowGather(NDArray image, Map<String, NDArray> base) {
        cache = base;
        cacheable.add(image);
        base.forEach((k, v) -> {
            if (!k.startsWith("#")) {
                cacheable.add(v);
            }
        });
    }

    /** The input windows a kernel layer needs for output windows {@code g}, with {@code pad} outside the map. */
    NDArray input(WindowedMap in, Windows g, WindowKernel k, float pad) {
        int n = g.n();
        int[] iy = new int[n];
        int[] ix = new int[n];
        for (int r = 0; r < n; r++) {
            iy[r] = g.y0()[r] * k.s() - k.p();
            ix[r] = g.x0()[r] * k.s() - k.p();
        }
        return gather(in, iy, ix, (g.h() - 1) * k.s() + k.span(), (g.w() - 1) * k.s() + k.span(), pad);
    }

    /** Whole maps {@code [N, C, H, W]}: the unoccluded activation with each patch's window pasted in. */
    NDArray materialize(WindowedMap in) {
        if (in.windows().full()) {
            return in.data();
        }
        int n = in.windows().n();
        return gather(in, new int[n], new int[n], in.windows().mapH(), in.windows().mapW(), 0f);
    }

    /**
     * An activation {@code [N, C, H, W]} as rows of channels {@code [N*H*W, C]}: a view when it is laid out
     * channels-last, as the arrays {@link #gather} builds (and the convolutions and poolings computed from them)
     * are, a copy otherwise.
     */
    private static NDArray rows(NDArray x) {
        return x.transpose(0, 2, 3, 1).reshape(-1, x.getShape().get(1));
    }

    /**
     * The unoccluded activation as rows {@code [H*W + 1, C]}, the last row {@code pad}; kept with the base
     * activations, so computed once per image and padding value rather than once per batch.
     */
    private NDArray baseRows(NDArray base, float pad) {
        boolean keep = cacheable.contains(base);
        String key = "#rows@" + System.identityHashCode(base) + "/" + pad;
        NDArray cached = keep ? cache.get(key) : null;
        if (cached != null) {
            return cached;
        }
        NDArray padRow = base.getManager().full(new Shape(1, base.getShape().get(1)), pad);
        NDArray r = rows(base).concat(padRow, 0);
        if (keep) {
            cache.put(key, r);
        }
        return r;
    }

    /**
     * For each patch r the {@code ih x iw} region at {@code (iy[r], ix[r])} of its activation: values from its
     * window where it has one, from the unoccluded activation elsewhere, {@code pad} outside the map. Returns
     * {@code [N, C, ih, iw]} laid out channels-last.
     */
    NDArray gather(WindowedMap in, int[] iy, int[] ix, int ih, int iw, float pad) {
        Windows g = in.windows();
        int n = g.n();
        int mh = g.mapH();
        int mw = g.mapW();
        long c = in.data().getShape().get(1);
        boolean useBase = !g.full();
        int outside = mh * mw;
        int total = n * ih * iw;
        int winLen = n * g.h() * g.w();
        // row indices: the flat positions of a gather, which no NDArray op states for windows of varying origin
        long[] idx = new long[total];
        long[] dst = new long[Math.min(total, winLen)];
        long[] src = new long[dst.length];
        long[] padAt = useBase ? null : new long[total];
        int m = 0;
        int pads = 0;
        boolean inOrder = true;
        int k = 0;
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < ih; i++) {
                int y = iy[r] + i;
                int wy = y - g.y0()[r];
                for (int j = 0; j < iw; j++, k++) {
                    int x = ix[r] + j;
                    if (y < 0 || y >= mh || x < 0 || x >= mw) {
                        idx[k] = useBase ? outside : 0;
                        if (!useBase) {
                            padAt[pads++] = k;
                        }
                        continue;
                    }
                    int wx = x - g.x0()[r];
                    if (wy >= 0 && wy < g.h() && wx >= 0 && wx < g.w()) {
                        long w = ((long) r * g.h() + wy) * g.w() + wx;
                        if (useBase) {
                            idx[k] = outside;
                            inOrder &= w == m;
                            dst[m] = k;
                            src[m++] = w;
                        } else {
                            idx[k] = w;
                        }
                    } else {
                        idx[k] = (long) y * mw + x;
                    }
                }
            }
        }
        NDManager mgr = in.data().getManager();
        NDArray winRows = rows(in.data());
        NDArray out;
        if (useBase) {
            out = baseRows(in.base(), pad).get(new NDIndex("{}", mgr.create(idx)));
            if (m > 0) {
                NDArray values = inOrder && m == winLen ? winRows
                        : winRows.get(new NDIndex("{}", mgr.create(Arrays.copyOf(src, m))));
                out.set(new NDIndex("{}", mgr.create(Arrays.copyOf(dst, m))), values);
            }
        } else {
            out = winRows.get(new NDIndex("{}", mgr.create(idx)));
            if (pads > 0) {
                out.set(new NDIndex("{}", mgr.create(Arrays.copyOf(padAt, pads))), mgr.full(new Shape(pads, c), pad));
            }
        }
        return out.reshape(n, ih, iw, c).transpose(0, 3, 1, 2);
    }
}

package dev.neurolens.attribution;

import dev.neurolens.model.Activations;
import dev.neurolens.model.Gradient;
import dev.neurolens.model.Model;
import dev.neurolens.model.ModelInfo;
import dev.neurolens.model.Scalar;
import dev.neurolens.model.Tensor;

import java.util.List;

/**
 * A model with a known answer: logit 0 is the sum of the pixels inside a rectangle times {@code weight},
 * logit 1 is always 0. Occluding with 0 removes exactly the occluded pixels that lie inside the rectangle.
 */
final class SyntheticModel implements Model {
    final int y0;
    final int x0;
    final int y1;
    final int x1;
    final float weight;
    int forwardCalls;

    SyntheticModel(int y0, int x0, int y1, int x1, float weight) {
        this.y0 = y0;
        this.x0 = x0;
        this.y1 = y1;
        this.x1 = x1;
        this.weight = weight;
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo("synthetic", 1, 16, 16, new float[] {0f}, new float[] {1f}, List.of("box", "nothing"));
    }

    @Override
    public List<String> layerNames() {
        return List.of();
    }

    @Override
    public Tensor logits(Tensor input) {
        forwardCalls++;
        int n = (int) input.dim(0);
        int h = (int) input.dim(2);
        int w = (int) input.dim(3);
        float[] v = input.toFloatArray();
        float[] out = new float[n * 2];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    s += v[(i * h + y) * w + x];
                }
            }
            out[2 * i] = (float) (s * weight);
        }
        return Tensor.of(out, n, 2);
    }

    @Override
    public Activations run(Tensor input, String... layers) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Gradient gradient(Tensor input, String layer, Scalar scalar) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
    }
}

package dev.neurolens.optimize;

import dev.neurolens.model.Tensor;
import dev.neurolens.model.WeightsFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A saved fast-style model loads back with its weights and its style names. */
class FastStyleModelTest {

    @Test
    void saveAndLoadKeepTheStyleNames(@TempDir Path dir) {
        FastStyleModel m = FastStyleModel.random(2, 4, 7).withStyleNames("starry night", "mosaic \"tiles\"");
        FastStyleModel back = FastStyleModel.load(m.save(dir.resolve("two.safetensors")));
        assertEquals(List.of("starry night", "mosaic \"tiles\""), back.styleNames());
        assertEquals(2, back.styles());
        for (var w : m.weights().entrySet()) {
            assertArrayEquals(w.getValue().toFloatArray(), back.weights().get(w.getKey()).toFloatArray(), w.getKey());
        }
        Tensor x = Tensor.of(new float[3 * 8 * 8], 1, 3, 8, 8);
        assertArrayEquals(m.stylize(x, 0.3, 0.7).toFloatArray(), back.stylize(x, 0.3, 0.7).toFloatArray(), 1e-6f);
    }

    @Test
    void filesWithoutNamesGetNumberedStyles(@TempDir Path dir) throws Exception {
        // a file as save() wrote it before names were kept: weights only
        FastStyleModel m = FastStyleModel.random(2, 4, 7);
        Map<String, float[]> v = new LinkedHashMap<>();
        Map<String, long[]> s = new LinkedHashMap<>();
        m.weights().forEach((k, t) -> {
            v.put(k, t.toFloatArray());
            s.put(k, t.shape());
        });
        Path file = dir.resolve("old.safetensors");
        try (OutputStream out = Files.newOutputStream(file)) {
            WeightsFiles.writeSafetensors(v, s, out);
        }
        assertEquals(List.of("style 1", "style 2"), FastStyleModel.load(file).styleNames());
    }

    /** A residual model adds its network's output to the photo, and keeps being residual through save and load. */
    @Test
    void residualAddsThePhotoAndSurvivesSaving(@TempDir Path dir) {
        FastStyleModel plain = FastStyleModel.random(2, 8, 3);
        FastStyleModel residual = plain.withResidual(true);
        float[] px = new float[3 * 12 * 12];
        for (int i = 0; i < px.length; i++) {
            px[i] = (i * 37) % 256;
        }
        Tensor x = Tensor.of(px, 1, 3, 12, 12);
        float[] a = plain.stylize(x, 0.5, 0.5).toFloatArray();
        float[] b = residual.stylize(x, 0.5, 0.5).toFloatArray();
        for (int i = 0; i < px.length; i++) {
            assertEquals(a[i] + px[i], b[i], 1e-3 * Math.max(1, Math.abs(b[i])));
        }
        FastStyleModel back = FastStyleModel.load(residual.save(dir.resolve("r.safetensors")));
        assertEquals(true, back.residual());
        assertArrayEquals(b, back.stylize(x, 0.5, 0.5).toFloatArray(), 1e-4f);
        assertEquals(false, FastStyleModel.load(plain.save(dir.resolve("p.safetensors"))).residual());
    }

    @Test
    void theActivationAndResidualFlagComeBackFromTheFile(@TempDir Path dir) {
        FastStyleModel m = FastStyleModel.random(2, 4, 7).withResidual(true).withLeakyRelu(true);
        FastStyleModel back = FastStyleModel.load(m.save(dir.resolve("leaky.safetensors")));
        assertEquals(true, back.leakyRelu());
        assertEquals(true, back.residual());
        Tensor x = Tensor.of(new float[3 * 8 * 8], 1, 3, 8, 8);
        assertArrayEquals(m.stylize(x, 1, 0).toFloatArray(), back.stylize(x, 1, 0).toFloatArray(), 1e-6f);
        // a model with ReLUs (as pytorch/examples' files are) loads with ReLUs
        FastStyleModel plain = FastStyleModel.load(FastStyleModel.random(1, 4, 7).save(dir.resolve("p.safetensors")));
        assertEquals(false, plain.leakyRelu());
    }
}

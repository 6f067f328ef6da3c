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
}

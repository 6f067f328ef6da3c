package dev.neurolens.dissect;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.neurolens.data.Scenes;
import dev.neurolens.model.Tensor;
import dev.neurolens.model.TorchOracle;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pluggable segmenters against ground truth, hand-picked colours and python torch. */
class SegmentersTest {

    @Test
    void exactSceneMasksReturnTheRenderedLabels() {
        ExactSceneMasks truth = new ExactSceneMasks();
        Tensor images = truth.render(40, 5, 48);
        int[][] labels = truth.segment(images);
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(Scenes.render(40 + i, 48).labels(), labels[i]);
        }
        // a batch in another order is recognised image by image
        Tensor one = Tensor.of(images.slice(3).toFloatArray(), 1, 3, 48, 48);
        assertArrayEquals(labels[3], truth.segment(one)[0]);
        float[] changed = images.slice(0).toFloatArray();
        changed[7] += 0.01f;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> truth.segment(Tensor.of(changed, 1, 3, 48, 48)));
        assertTrue(e.getMessage().contains("SceneSegmenter"), e.getMessage());
        boolean[][] trees = truth.masks(images, "tree");
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(Scenes.render(40 + i, 48).mask(Scenes.TREE), trees[i]);
        }
    }

    /** Hand-picked colours per 8x8 block name as a person would; a lone pixel is removed by the opening. */
    @Test
    void colourNamesAndCleanup() {
        float[][] colours = {{1, 0, 0}, {1, 0.6f, 0}, {1, 1, 0}, {0, 0.7f, 0}, {0.1f, 0.3f, 0.9f}, {0.6f, 0, 0.8f},
            {0.4f, 0.25f, 0.1f}, {1, 1, 1}, {0.5f, 0.5f, 0.5f}, {0.1f, 0.1f, 0.1f}};
        // ten 8x8 blocks side by side: an 8 x 80 image
        int h = 8;
        int w = 80;
        float[] img = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    img[c * h * w + y * w + x] = colours[x / 8][c];
                }
            }
        }
        // a lone green pixel inside the white block
        int lone = 4 * w + 60;
        img[lone] = 0;
        img[h * w + lone] = 0.7f;
        img[2 * h * w + lone] = 0;
        Tensor t = Tensor.of(img, 1, 3, h, w);
        int[] raw = new ColorSegmenter(0).segment(t)[0];
        int[] clean = new ColorSegmenter().segment(t)[0];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                if (p == lone) {
                    assertEquals("green", ColorSegmenter.COLORS.get(raw[p]));
                    assertEquals(Segmenter.NONE, clean[p]);
                } else {
                    assertEquals(ColorSegmenter.COLORS.get(x / 8), ColorSegmenter.COLORS.get(raw[p]), "pixel " + x);
                    assertEquals(raw[p], clean[p], "cleaned pixel " + x + "," + y);
                }
            }
        }
    }

    /** A scripted model with half-resolution logits: labels equal python's bilinear upsampling + argmax. */
    @Test
    void torchScriptSegmenterMatchesPython() throws Exception {
        Assumptions.assumeTrue(TorchOracle.unavailableReason() == null, TorchOracle.unavailableReason());
        Path dir = Files.createTempDirectory("tsseg");
        try {
            String script = String.join("\n",
                    "import json, sys, torch, torch.nn as nn, torch.nn.functional as F",
                    "torch.manual_seed(0)",
                    "class Seg(nn.Module):",
                    "    def __init__(self):",
                    "        super().__init__(); self.conv = nn.Conv2d(3, 4, 3, padding=1)",
                    "    def forward(self, x):",
                    "        return F.avg_pool2d(self.conv(x), 2)",
                    "m = torch.jit.script(Seg().eval()); m.save(sys.argv[1] + '/seg.pt')",
                    "x = torch.rand(3, 3, 12, 10)",
                    "mean = torch.tensor([0.5, 0.4, 0.3]).reshape(1, 3, 1, 1); std = torch.tensor([0.2, 0.25, 0.3]).reshape(1, 3, 1, 1)",
                    "with torch.no_grad():",
                    "    lg = F.interpolate(m((x - mean) / std), size=(12, 10), mode='bilinear', align_corners=False)",
                    "json.dump({'x': x.flatten().tolist(), 'labels': lg.argmax(1).flatten().tolist()}, open(sys.argv[1] + '/out.json', 'w'))",
                    "");
            Path py = dir.resolve("make.py");
            Files.writeString(py, script);
            Process p = new ProcessBuilder(TorchOracle.PYTHON, py.toString(), dir.toString()).redirectErrorStream(true).start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), log);
            JsonObject o = new JsonParser().parse(Files.readString(dir.resolve("out.json"))).getAsJsonObject();
            JsonArray xs = o.getAsJsonArray("x");
            float[] x = new float[xs.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = xs.get(i).getAsFloat();
            }
            JsonArray ls = o.getAsJsonArray("labels");
            try (TorchScriptSegmenter seg = TorchScriptSegmenter.load(dir.resolve("seg.pt"), List.of("a", "b", "c", "d"),
                    new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.2f, 0.25f, 0.3f})) {
                int[][] labels = seg.segment(Tensor.of(x, 3, 3, 12, 10));
                int same = 0;
                for (int i = 0; i < 3; i++) {
                    for (int q = 0; q < 120; q++) {
                        same += labels[i][q] == ls.get(i * 120 + q).getAsInt() ? 1 : 0;
                    }
                }
                // ties within float rounding may flip a pixel or two
                assertTrue(same >= 358, same + " of 360 labels agree");
                assertThrows(IllegalArgumentException.class, () -> seg.concept("e"));
            }
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}

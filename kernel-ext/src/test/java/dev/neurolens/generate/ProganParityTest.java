package dev.neurolens.generate;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.neurolens.model.Architecture;
import dev.neurolens.model.Forward;
import dev.neurolens.model.LayerHook;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import dev.neurolens.model.TorchOracle;
import dev.neurolens.model.WeightStore;
import dev.neurolens.model.WeightsException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Progressive GAN generator equals a python torch module written after GAN Dissection's {@code proggan.py}
 * on the same random state_dict: images, a captured block, a hook on {@code layer3}, the code gradient; the
 * state_dict loads from the zip and the legacy torch.save formats and under the old {@code features.N} names.
 */
class ProganParityTest {

    /** Sizes of the tiny generator: code 16, then 4x4 ... 64x64 channels; 64 px. */
    private static final int[] SIZES = {16, 16, 16, 8, 8, 4};
    private static final int N = 3;

    private static final String SCRIPT = """
            import sys, json, math, torch, torch.nn as nn, torch.nn.functional as F
            from collections import OrderedDict
            out = sys.argv[1]
            torch.manual_seed(11)

            class PixelNorm(nn.Module):
                def forward(self, x):
                    return x * torch.rsqrt((x * x).mean(1, keepdim=True) + 1e-8)

            class Up(nn.Module):
                def forward(self, x):
                    return F.interpolate(x, scale_factor=2, mode='nearest')

            class WScale(nn.Module):
                def __init__(self, c, fan_in, gain):
                    super().__init__()
                    self.gain = gain / math.sqrt(fan_in)
                    self.b = nn.Parameter(torch.randn(c) * 0.5)
                def forward(self, x):
                    return x * self.gain + self.b[None, :, None, None]

            class Block(nn.Module):
                def __init__(self, i, o, k, p, up=False, out=False):
                    super().__init__()
                    self.norm = PixelNorm()
                    self.up = Up() if up else None
                    self.conv = nn.Conv2d(i, o, k, 1, p, bias=False)
                    nn.init.normal_(self.conv.weight)
                    self.wscale = WScale(o, i, 1.0 if out else math.sqrt(2) / k)
                    self.act = None if out else nn.LeakyReLU(0.2)
                def forward(self, x):
                    x = self.norm(x)
                    if self.up is not None:
                        x = self.up(x)
                    x = self.wscale(self.conv(x))
                    return x if self.act is None else self.act(x)

            def progan(sizes):
                seq = [Block(sizes[0], sizes[1], 4, 3), Block(sizes[1], sizes[1], 3, 1)]
                for a, b in zip(sizes[1:-1], sizes[2:]):
                    seq += [Block(a, b, 3, 1, up=True), Block(b, b, 3, 1)]
                d = 4 * 2 ** (len(seq) // 2 - 1)
                named = [('layer%d' % (i + 1), m) for i, m in enumerate(seq)]
                named.append(('output_%dx%d' % (d, d), Block(sizes[-1], 3, 1, 0, out=True)))
                return nn.Sequential(OrderedDict(named))

            g = progan([16, 16, 16, 8, 8, 4]).eval()
            sd = g.state_dict()
            torch.save(sd, out + '/g.pth')
            torch.save(sd, out + '/g_legacy.pth', _use_new_zipfile_serialization=False)
            old = OrderedDict()
            for k, v in sd.items():
                if k.startswith('layer'):
                    i, rest = k[5:].split('.', 1)
                    old['features.%d.%s' % (int(i) - 1, rest)] = v
                else:
                    old['output.' + k.split('.', 1)[1]] = v
            torch.save(old, out + '/g_old.pth')

            z = torch.randn(3, 16)
            zz = z.clone().view(3, 16, 1, 1).requires_grad_(True)
            taken = {}
            h = g.layer4.register_forward_hook(lambda m, i, o: taken.__setitem__('layer4', o.detach().clone()))
            img = g(zz)
            img.pow(2).sum().backward()
            h.remove()
            def zero_units(m, i, o):
                o = o.clone(); o[:, [1, 5]] = 0; return o
            h = g.layer3.register_forward_hook(zero_units)
            with torch.no_grad():
                hooked = g(zz)
            h.remove()
            for name, t in [('z', z), ('img', img), ('zgrad', zz.grad), ('layer4', taken['layer4']), ('hooked', hooked)]:
                t.detach().numpy().astype('<f4').tofile(out + '/' + name + '.bin')
            big = progan([512, 512, 512, 512, 256, 128, 64, 32])
            json.dump({k: list(v.shape) for k, v in big.state_dict().items()}, open(out + '/shapes256.json', 'w'))
            """;

    private static Path dir;

    @BeforeAll
    static void oracle() throws IOException, InterruptedException {
        String why = TorchOracle.unavailableReason();
        Assumptions.assumeTrue(why == null, why);
        dir = Files.createTempDirectory("progan-oracle");
        Path script = dir.resolve("progan.py");
        Files.writeString(script, SCRIPT);
        Process p = new ProcessBuilder(TorchOracle.PYTHON, script.toString(), dir.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, log);
    }

    @AfterAll
    static void cleanUp() {
        if (dir != null) {
            TorchOracle.deleteQuietly(dir);
        }
    }

    private static float[] read(String name) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(name + ".bin"))).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        b.asFloatBuffer().get(v);
        return v;
    }

    private static double relErr(float[] a, float[] b) {
        assertEquals(b.length, a.length, "sizes differ");
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - b[i]) * (double) (a[i] - b[i]);
            den += b[i] * (double) b[i];
        }
        return Math.sqrt(num / Math.max(den, 1e-30));
    }

    /** Python's raw image mapped as the generator maps it: (x + 1) / 2, clamped to [0, 1]. */
    private static float[] unit(float[] raw) {
        float[] v = new float[raw.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.min(1f, Math.max(0f, (raw[i] + 1f) / 2f));
        }
        return v;
    }

    private static Tensor z() throws IOException {
        return Tensor.of(read("z"), N, SIZES[0], 1, 1);
    }

    @Test
    void imagesCapturesAndCodeGradientMatchTorch() throws Exception {
        try (Generator g = Generator.load(dir.resolve("g.pth"))) {
            assertEquals(16, g.zDim());
            assertEquals("progan_g64", g.name());
            assertTrue(g.layerNames().containsAll(java.util.List.of("layer1", "layer10", "output_64x64",
                    "layer3.up", "layer3.wscale")), g.layerNames().toString());
            float[] pyImg = read("img");
            Map<String, Tensor> r = g.generate(z(), Forward.capture("layer4"));
            Tensor images = r.get(Generator.OUTPUT);
            assertArrayEquals(new long[] {N, 3, 64, 64}, images.shape());
            float[] img = images.toFloatArray();
            double e = relErr(img, unit(pyImg));
            assertTrue(e < 1e-5, "image differs: " + e);
            float lo = Float.MAX_VALUE;
            float hi = -Float.MAX_VALUE;
            int clipped = 0;
            for (int i = 0; i < img.length; i++) {
                lo = Math.min(lo, img[i]);
                hi = Math.max(hi, img[i]);
                clipped += pyImg[i] > 1 || pyImg[i] < -1 ? 1 : 0;
            }
            assertTrue(lo >= 0f && hi <= 1f, "images leave [0, 1]: " + lo + " .. " + hi);
            assertTrue(clipped > 0, "the oracle's output never leaves [-1, 1]: the clamp is untested");
            double c = relErr(r.get("layer4").toFloatArray(), read("layer4"));
            assertTrue(c < 1e-5, "layer4 differs: " + c);

            // the code gradient through pixel norm, upsampling and WScale (inversion needs it)
            Network net = g.network();
            try (NDManager m = net.newScope()) {
                NDArray zz = z().toNDArray(m);
                zz.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                    NDArray out = net.forward(zz, Forward.plain()).get(Network.OUTPUT);
                    assertTrue(relErr(out.toFloatArray(), pyImg) < 1e-5, "raw output differs");
                    gc.backward(out.square().sum());
                }
                double gz = relErr(zz.getGradient().toFloatArray(), read("zgrad"));
                assertTrue(gz < 1e-4, "z gradient differs: " + gz);
            }
        }
    }

    @Test
    void hookOnLayer3ChangesWhatTorchsForwardHookChanges() throws Exception {
        try (Generator g = Generator.load(dir.resolve("g.pth"))) {
            Map<String, Tensor> r = g.generate(z(), Forward.capture("layer3").hook("layer3", LayerHook.zero(1, 5)));
            float[] hooked = r.get(Generator.OUTPUT).toFloatArray();
            double e = relErr(hooked, unit(read("hooked")));
            assertTrue(e < 1e-5, "hooked image differs: " + e);
            assertTrue(relErr(hooked, unit(read("img"))) > 1e-2, "zeroing two layer3 units changed nothing");
            float[] layer3 = r.get("layer3").toFloatArray();
            int hw = 8 * 8;
            int channels = SIZES[2];
            for (int n = 0; n < N; n++) {
                for (int ch : new int[] {1, 5}) {
                    for (int i = 0; i < hw; i++) {
                        assertEquals(0f, layer3[(n * channels + ch) * hw + i], 0f, "captured layer3 is after the hook");
                    }
                }
            }
        }
    }

    @Test
    void legacyFormatAndOldNamesLoadTheSameWeights() throws Exception {
        float[] expected = unit(read("img"));
        assertEquals(0x80, Files.readAllBytes(dir.resolve("g_legacy.pth"))[0] & 0xff, "not a legacy save");
        for (String file : new String[] {"g_legacy.pth", "g_old.pth"}) {
            try (Generator g = Generator.load(dir.resolve(file))) {
                double e = relErr(g.generate(z()).toFloatArray(), expected);
                assertTrue(e < 1e-6, file + " differs: " + e);
            }
        }
        // a copy wrapped by Generator.of (as inversion and rewriting make) still maps and clamps to [0, 1]
        try (Generator g = Generator.of(Architecture.proganGenerator(SIZES).load(dir.resolve("g.pth")), SIZES[0])) {
            assertTrue(relErr(g.generate(z()).toFloatArray(), expected) < 1e-6, "Generator.of does not clamp");
        }
    }

    @Test
    void defaultArchitectureHasTheStateDictOfTheTorchModuleAt256() throws Exception {
        JsonObject shapes = new JsonParser().parse(Files.readString(dir.resolve("shapes256.json"))).getAsJsonObject();
        Architecture a = Architecture.proganGenerator(256);
        Map<String, long[]> mine = a.parameterShapes();
        assertEquals(shapes.keySet().stream().toList(), mine.keySet().stream().toList());
        for (var e : shapes.entrySet()) {
            long[] s = new long[e.getValue().getAsJsonArray().size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = e.getValue().getAsJsonArray().get(i).getAsLong();
            }
            assertArrayEquals(s, mine.get(e.getKey()), e.getKey());
        }
        assertEquals(256, a.info().crop());
        assertTrue(mine.containsKey("layer14.conv.weight") && mine.containsKey("output_256x256.wscale.b"));
        for (int res : new int[] {8, 16, 32, 64, 128}) {
            Architecture r = Architecture.proganGenerator(res);
            assertEquals(res, r.info().crop());
            assertTrue(r.parameterShapes().containsKey("output_" + res + "x" + res + ".conv.weight"));
        }
        assertThrows(IllegalArgumentException.class, () -> Architecture.proganGenerator(48));
    }

    @Test
    void badFilesSayWhatIsWrong(@TempDir Path tmp) throws Exception {
        Path garbage = tmp.resolve("garbage.pth");
        Files.write(garbage, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        WeightsException e = assertThrows(WeightsException.class, () -> Generator.load(garbage));
        assertTrue(e.getMessage().contains("neither a torch.save file nor safetensors"), e.getMessage());

        byte[] legacy = Files.readAllBytes(dir.resolve("g_legacy.pth"));
        Path truncated = tmp.resolve("truncated.pth");
        Files.write(truncated, Arrays.copyOf(legacy, legacy.length - 100));
        e = assertThrows(WeightsException.class, () -> Generator.load(truncated));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        // a ProGAN whose output block is missing: the architecture check names it and loads nothing
        Map<String, dev.neurolens.model.RawTensor> w = new java.util.LinkedHashMap<>(
                dev.neurolens.model.WeightsFiles.read(dir.resolve("g.pth")));
        w.keySet().removeIf(k -> k.startsWith("output_"));
        Path partial = tmp.resolve("partial.safetensors");
        Map<String, float[]> values = new java.util.LinkedHashMap<>();
        Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
        w.forEach((k, t) -> {
            values.put(k, t.toFloatArray());
            shapes.put(k, t.shape());
        });
        try (var out = Files.newOutputStream(partial)) {
            dev.neurolens.model.WeightsFiles.writeSafetensors(values, shapes, out);
        }
        e = assertThrows(WeightsException.class, () -> Generator.load(partial));
        assertTrue(e.getMessage().contains("missing output_64x64.conv.weight"), e.getMessage());
    }

    @Test
    void pretrainedNamesAndTheOfflineMessage(@TempDir Path tmp) throws Exception {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> Generator.pretrained("nope"));
        for (String name : Generator.PRETRAINED) {
            assertTrue(unknown.getMessage().contains(name), unknown.getMessage());
        }
        Path local = Files.createDirectories(tmp.resolve("weights"));
        Path cache = tmp.resolve("cache");
        WeightStore offline = new WeightStore(local, cache, true, null);
        WeightsException missing = assertThrows(WeightsException.class, () -> Generator.pretrained("bedroom", offline));
        String m = missing.getMessage();
        assertTrue(m.contains("http://gandissect.csail.mit.edu/models/proggan_bedroom-d8a89ff1.pth"), m);
        assertTrue(m.contains(local.toAbsolutePath().toString()) && m.contains(cache.toAbsolutePath().toString()), m);

        // a file of that name that is not the published one is refused by its sha256 prefix
        Files.copy(dir.resolve("g.pth"), local.resolve("proggan_bedroom-d8a89ff1.pth"));
        WeightsException corrupt = assertThrows(WeightsException.class, () -> Generator.pretrained("bedroom", offline));
        assertTrue(corrupt.getMessage().contains("d8a89ff1") && corrupt.getMessage().contains("sha256"),
                corrupt.getMessage());
        assertEquals("proggan_kitchen-67f1e16c.pth", Generator.pretrainedEntry("kitchen").fileName());
    }
}

package dev.neurolens.generate;

import dev.neurolens.model.Forward;
import dev.neurolens.model.LayerHook;
import dev.neurolens.model.Tensor;
import dev.neurolens.model.TorchOracle;
import dev.neurolens.model.WeightsException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Generator.load reads pytorch/examples' DCGAN generator as a state_dict (sizes read off the shapes) and as
 * TorchScript, and both draw what python torch draws for the same codes.
 */
class GeneratorLoadTest {

    private static final String SCRIPT = """
            import sys, torch, torch.nn as nn
            out = sys.argv[1]
            nz, ngf, nc = 12, 8, 3
            torch.manual_seed(11)
            class G(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.main = nn.Sequential(
                        nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
                        nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
                        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
                        nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh())
                def forward(self, x):
                    return self.main(x)
            g = G()
            for m in g.modules():
                if isinstance(m, nn.BatchNorm2d):
                    m.running_mean.uniform_(-0.2, 0.2); m.running_var.uniform_(0.5, 1.5)
                    m.weight.data.normal_(1, 0.1); m.bias.data.normal_(0, 0.1)
            g.eval()
            torch.save(g.state_dict(), out + '/netG.pth')
            z = torch.randn(2, nz, 1, 1)
            torch.jit.trace(g, z).save(out + '/netG.pt')
            with torch.no_grad():
                img = g(z)
            for name, t in [('z', z), ('img', img)]:
                t.numpy().astype('<f4').tofile(out + '/' + name + '.bin')
            """;

    private static float[] read(Path f) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        b.asFloatBuffer().get(v);
        return v;
    }

    private static Path oracle() throws IOException, InterruptedException {
        String why = TorchOracle.unavailableReason();
        Assumptions.assumeTrue(why == null, why);
        Path dir = Files.createTempDirectory("generator-oracle");
        Path script = dir.resolve("g.py");
        Files.writeString(script, SCRIPT);
        Process p = new ProcessBuilder(TorchOracle.PYTHON, script.toString(), dir.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, log);
        return dir;
    }

    private static double relErr(float[] a, float[] b) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            num += (a[i] - b[i]) * (double) (a[i] - b[i]);
            den += b[i] * (double) b[i];
        }
        return Math.sqrt(num / Math.max(den, 1e-30));
    }

    /** torch's tanh images mapped to [0, 1] as Generator returns them. */
    private static float[] unit(float[] tanh) {
        float[] v = new float[tanh.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = (tanh[i] + 1) / 2;
        }
        return v;
    }

    @Test
    void stateDictAndTorchScriptDrawWhatTorchDraws() throws Exception {
        Path dir = oracle();
        Tensor z = Tensor.of(read(dir.resolve("z.bin")), 2, 12, 1, 1);
        float[] expected = unit(read(dir.resolve("img.bin")));
        try (Generator g = Generator.load(dir.resolve("netG.pth"))) {
            assertEquals(12, g.zDim());
            assertTrue(g.hasLayers());
            assertEquals("dcgan_g32", g.name());
            assertEquals(8, g.network().parameters().get("main.9.weight").getShape().get(0), "ngf read off shapes");
            Tensor img = g.generate(z);
            assertEquals(java.util.List.of(2L, 3L, 32L, 32L), java.util.Arrays.stream(img.shape()).boxed().toList());
            assertTrue(relErr(img.toFloatArray(), expected) < 1e-5, "state_dict generator differs from torch");
        }
        try (Generator g = Generator.load(dir.resolve("netG.pt"))) {
            assertEquals(12, g.zDim(), "code size read off the first TorchScript weight");
            assertFalse(g.hasLayers());
            assertTrue(relErr(g.generate(z).toFloatArray(), expected) < 1e-5, "TorchScript generator differs from torch");
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> g.generate(z, Forward.capture("main.3").hook("main.3", LayerHook.zero(0))));
            assertTrue(e.getMessage().contains("TorchScript") && e.getMessage().contains("state_dict"), e.getMessage());
        }
    }

    /** The transposed convolutions' tap kernels are cut from the weights: none may stay in the weights' manager. */
    @Test
    void generatingLeavesNoArraysBehind() {
        try (Generator g = Generator.of(dev.neurolens.model.Architecture.dcganGenerator(8, 4, 3, 64).randomInit(1), 8)) {
            Tensor z = g.sampleZ(2, 1);
            g.generate(z);
            int before;
            try (ai.djl.ndarray.NDManager scope = g.network().newScope()) {
                before = scope.getParentManager().getManagedArrays().size();
            }
            for (int i = 0; i < 20; i++) {
                g.generate(z, Forward.capture("main.6"));
            }
            try (ai.djl.ndarray.NDManager scope = g.network().newScope()) {
                assertEquals(before, scope.getParentManager().getManagedArrays().size(), "arrays left per pass");
            }
        }
    }

    @Test
    void wrongNamesAndFilesSayWhatToDo() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Generator.builtin("faces"));
        assertTrue(e.getMessage().contains("scenes") && e.getMessage().contains("fashion"), e.getMessage());
        Path f = Files.createTempFile("not-a-generator", ".safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        assertThrows(WeightsException.class, () -> Generator.load(f));
        assertThrows(WeightsException.class, () -> Generator.load(f.resolveSibling("missing-generator.pth")));
    }
}

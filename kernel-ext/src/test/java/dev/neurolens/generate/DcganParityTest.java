package dev.neurolens.generate;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.neurolens.model.Architecture;
import dev.neurolens.model.Forward;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import dev.neurolens.model.TorchOracle;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DCGAN generator and discriminator equal pytorch/examples' modules on the same state_dict (python torch oracle). */
class DcganParityTest {

    private static final String SCRIPT = """
            import sys, torch, torch.nn as nn, numpy as np
            out, size = sys.argv[1], int(sys.argv[2])
            nz, ngf, ndf, nc = 16, 8, 8, 3
            torch.manual_seed(7)
            def G(size):
                L = [nn.ConvTranspose2d(nz, ngf * (8 if size == 64 else 4), 4, 1, 0, bias=False)]
                w = ngf * (8 if size == 64 else 4)
                stages = 4 if size == 64 else 3
                for s in range(stages):
                    L += [nn.BatchNorm2d(w), nn.ReLU(True)]
                    nxt = nc if s == stages - 1 else w // 2
                    L += [nn.ConvTranspose2d(w, nxt, 4, 2, 1, bias=False)]
                    w = nxt
                L += [nn.Tanh()]
                m = nn.Module(); m.main = nn.Sequential(*L); m.forward = lambda x: m.main(x); return m
            def D(size):
                stages = 4 if size == 64 else 3
                L = [nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True)]
                w = ndf
                for s in range(1, stages):
                    L += [nn.Conv2d(w, w * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(w * 2), nn.LeakyReLU(0.2, inplace=True)]
                    w *= 2
                L += [nn.Conv2d(w, 1, 4, 1, 0, bias=False), nn.Sigmoid()]
                m = nn.Module(); m.main = nn.Sequential(*L); m.forward = lambda x: m.main(x); return m
            g, d = G(size), D(size)
            for m in list(g.modules()) + list(d.modules()):
                if isinstance(m, nn.BatchNorm2d):
                    m.running_mean.uniform_(-0.2, 0.2); m.running_var.uniform_(0.5, 1.5)
                    m.weight.data.normal_(1, 0.1); m.bias.data.normal_(0, 0.1)
            g.eval(); d.eval()
            torch.save(g.state_dict(), out + '/g.pth'); torch.save(d.state_dict(), out + '/d.pth')
            z = torch.randn(3, nz, 1, 1, requires_grad=True)
            img = g(z)
            img.pow(2).sum().backward()
            p = d(img.detach())
            for name, t in [('z', z), ('img', img), ('zgrad', z.grad), ('p', p)]:
                t.detach().numpy().astype('<f4').tofile(out + '/' + name + '.bin')
            """;

    private static float[] read(Path f) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        b.asFloatBuffer().get(v);
        return v;
    }

    private static Path oracle(int size) throws IOException, InterruptedException {
        String why = TorchOracle.unavailableReason();
        Assumptions.assumeTrue(why == null, why);
        Path dir = Files.createTempDirectory("dcgan-oracle");
        Path script = dir.resolve("dcgan.py");
        Files.writeString(script, SCRIPT);
        Process p = new ProcessBuilder(TorchOracle.PYTHON, script.toString(), dir.toString(), String.valueOf(size))
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

    @Test
    void generatorAndDiscriminatorMatchTorchAt64And32() throws Exception {
        for (int size : new int[] {64, 32}) {
            Path dir = oracle(size);
            float[] z = read(dir.resolve("z.bin"));
            try (Network g = Architecture.dcganGenerator(16, 8, 3, size).load(dir.resolve("g.pth"));
                 Network d = Architecture.dcganDiscriminator(8, 3, size).load(dir.resolve("d.pth"));
                 NDManager m = g.newScope()) {
                NDArray zz = m.create(z, new ai.djl.ndarray.types.Shape(3, 16, 1, 1));
                zz.setRequiresGradient(true);
                float[] img;
                try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                    NDArray out = g.forward(zz, Forward.plain()).get(Network.OUTPUT);
                    img = out.toFloatArray();
                    gc.backward(out.square().sum());
                }
                float[] zgrad = zz.getGradient().toFloatArray();
                assertEquals(3 * 3 * size * size, img.length);
                assertTrue(relErr(img, read(dir.resolve("img.bin"))) < 1e-5, "image differs at " + size);
                assertTrue(relErr(zgrad, read(dir.resolve("zgrad.bin"))) < 1e-4, "z gradient differs at " + size);
                Tensor p = d.logits(Tensor.of(img, 3, 3, size, size));
                assertTrue(relErr(p.toFloatArray(), read(dir.resolve("p.bin"))) < 1e-5, "discriminator differs at " + size);
            }
        }
    }
}

package dev.neurolens.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Readouts against scores computed by hand from the same numbers. */
class ReadoutTest {

    @Test
    void scoresAreWhatTheyNameComputedByHand() {
        float[] v = new float[2 * 3 * 4 * 5];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i * 0.37) * 3;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(v, new Shape(2, 3, 4, 5));
            float[] channel = new float[2];
            for (int n = 0; n < 2; n++) {
                double s = 0;
                for (int k = 0; k < 20; k++) {
                    s += v[n * 60 + 1 * 20 + k];
                }
                channel[n] = (float) (s / 20);
            }
            assertArrayEquals(channel, Readout.channel("conv", 1).scores(a).toFloatArray(), 1e-6f);
            assertEquals((channel[0] + channel[1]) / 2, Readout.channel("conv", 1).mean(a).getFloat(), 1e-6f);
            float[] unit = {v[0 * 60 + 2 * 20 + 3 * 5 + 4], v[1 * 60 + 2 * 20 + 3 * 5 + 4]};
            assertArrayEquals(unit, Readout.unit("conv", 2, 3, 4).scores(a).toFloatArray(), 1e-6f);
            float[] centre = {v[0 * 60 + 2 * 20 + 2 * 5 + 2], v[1 * 60 + 2 * 20 + 2 * 5 + 2]};
            assertArrayEquals(centre, Readout.centre("conv", 2).scores(a).toFloatArray(), 1e-6f);
            assertEquals(unit[0] + unit[1], Readout.unit("conv", 2, 3, 4).sum().of(a).getFloat(), 1e-5f);
            NDArray logits = m.create(new float[] {1, 5, 2, 7, 0, 3}, new Shape(2, 3));
            assertArrayEquals(new float[] {5, 0}, Readout.logit(1).scores(logits).toFloatArray());
            Readout custom = Readout.of("conv", "energy", x -> x.square().reshape(2, -1).sum(new int[] {1}));
            assertEquals("energy", custom.toString());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Readout.channel("conv", 3).scores(a));
            assertTrue(e.getMessage().contains("conv has 3 channels (0 … 2)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Readout.unit("conv", 0, 4, 0).scores(a));
            assertTrue(e.getMessage().contains("outside conv's 4x5 map"), e.getMessage());
        }
    }

    @Test
    void attributionTargetsReadTheSameScores() {
        try (Network net = Models.defaultModel(); NDManager m = NDManager.newBaseManager()) {
            float[] v = new float[2 * 28 * 28];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) Math.cos(i * 0.01);
            }
            Tensor x = Tensor.of(v, 2, 1, 28, 28);
            NDArray out = m.create(net.run(x, "relu2").get("relu2").toFloatArray(),
                    new Shape(net.run(x, "relu2").get("relu2").shape()));
            for (Readout r : new Readout[] {Readout.channel("relu2", 3), Readout.unit("relu2", 1, 2, 5)}) {
                dev.neurolens.attribution.Target t = dev.neurolens.attribution.Target.of(r);
                assertArrayEquals(r.scores(out).toFloatArray(), t.resolve(net, x).scores(out).toFloatArray(), 1e-6f,
                        r.toString());
                assertEquals(t.toString(), dev.neurolens.attribution.Target.parse(r.toString()).toString());
            }
            assertEquals("class 4", dev.neurolens.attribution.Target.of(Readout.logit(4)).toString());
            // a function of the layer is explained too: its scores are the function's, checked on the heap
            Readout energy = Readout.of("relu2", "energy", a -> a.square().sum(new int[] {1, 2, 3}));
            dev.neurolens.attribution.Target te = dev.neurolens.attribution.Target.of(energy);
            assertEquals("energy", te.toString());
            float[] act = net.run(x, "relu2").get("relu2").toFloatArray();
            float[] expected = new float[2];
            for (int i = 0; i < act.length; i++) {
                expected[i / (act.length / 2)] += act[i] * act[i];
            }
            var resolved = te.resolve(net, x);
            assertArrayEquals(expected, resolved.scores(out).toFloatArray(), 1e-3f);
            assertArrayEquals(expected, resolved.scores(net, x), 1e-3f);
            // occluding the whole picture drops the score to that of an all-zero input, in every pixel
            Tensor zero = Tensor.of(new float[2 * 28 * 28], 2, 1, 28, 28);
            float[] blank = energy.scores(m.create(net.run(zero, "relu2").get("relu2").toFloatArray(),
                    new Shape(net.run(zero, "relu2").get("relu2").shape()))).toFloatArray();
            var occ = dev.neurolens.attribution.Occlusion.builder().patch(28).stride(28).build()
                    .attribute(net, x, te);
            for (int i = 0; i < 2; i++) {
                assertEquals(expected[i] - blank[i], occ.map(i)[13][17], 1e-3 * Math.abs(expected[i]));
                assertEquals("energy", occ.target(i));
            }
            assertTrue(occ.details().summary().contains("plain"), occ.details().summary());
        }
    }

    @Test
    void oneTextFormForEveryTechnique() {
        assertEquals(Readout.logit(7), Readout.parse("7"));
        assertEquals(Readout.channel("fire6", 12), Readout.parse(" fire6:12 "));
        assertEquals(Readout.unit("features.3", 5, 3, 4), Readout.parse("features.3:5@3,4"));
        assertEquals("fire6:12@3,4", Readout.parse("fire6:12@3,4").toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Readout.parse("fire6"));
        assertTrue(e.getMessage().contains("layer:channel"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Readout.channel("fire6", -1));
    }
}

package dev.neurolens.features;

import dev.neurolens.Neurolens;
import dev.neurolens.display.Displayable;
import dev.neurolens.display.Html;
import dev.neurolens.magics.MagicArgumentException;
import dev.neurolens.magics.MagicRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The feature magics end to end on small settings: each returns a result that renders. */
class FeatureMagicsTest {
    @BeforeAll
    static void install() {
        Neurolens.install();
    }

    static void rendersPng(Object o) {
        assertNotNull(((Displayable) o).mimeBundle().pngBytes(), o + " has no PNG");
    }

    @Test
    void filtersAndActivations() throws Exception {
        Object f = MagicRegistry.runLine("filters", "conv2 --count 4 --channels 3");
        assertInstanceOf(Filters.class, f);
        rendersPng(f);
        Object a = MagicRegistry.runLine("activations", "conv1 --index 3");
        assertInstanceOf(ActivationMaps.class, a);
        assertEquals(32, ((ActivationMaps) a).channels());
        rendersPng(a);
        rendersPng(MagicRegistry.runLine("activations", "conv2 --index 3 --channel 5"));
        MagicArgumentException e = assertThrows(MagicArgumentException.class,
                () -> MagicRegistry.runLine("filters", "conv1 --cout 3"));
        assertTrue(e.getMessage().contains("--count"), e.getMessage());
        IllegalArgumentException notConv = assertThrows(IllegalArgumentException.class,
                () -> MagicRegistry.runLine("filters", "relu1"));
        assertTrue(notConv.getMessage().contains("features.0"), notConv.getMessage());
    }

    @Test
    void neighborsPatchesAndMaps() throws Exception {
        Object nn = MagicRegistry.runLine("neighbors", "--n 400 --queries 0,1 --k 3");
        assertInstanceOf(NeighborComparison.class, nn);
        rendersPng(nn);
        Object p = MagicRegistry.runLine("patches", "conv3 --n 200 --count 4 --k 3 --quiet");
        assertInstanceOf(TopPatchesResult.class, p);
        assertEquals(4, ((TopPatchesResult) p).units().length);
        rendersPng(p);
        Object m = MagicRegistry.runLine("tsne", "--n 300 --pca --view interactive");
        assertInstanceOf(Html.class, m);
        assertTrue(((Html) m).html().contains("<canvas"));
    }
}

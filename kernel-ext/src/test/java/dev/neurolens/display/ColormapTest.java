package dev.neurolens.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ColormapTest {
    @Test
    void endpointsMatchTheReferenceMaps() {
        // matplotlib: viridis(0) = #440154, viridis(1) = #fde725; inferno/magma start at #000004.
        assertEquals(0x440154, Colormap.VIRIDIS.rgb(0));
        assertEquals(0xFDE725, Colormap.VIRIDIS.rgb(1));
        assertEquals(0x000004, Colormap.INFERNO.rgb(0));
        assertEquals(0xFCFFA4, Colormap.INFERNO.rgb(1));
        assertEquals(0xFCFDBF, Colormap.MAGMA.rgb(1));
        assertEquals(0x000080, Colormap.JET.rgb(0));
        assertEquals(0x800000, Colormap.JET.rgb(1));
        assertEquals(0x3B4CC0, Colormap.COOLWARM.rgb(0));
        assertEquals(0xB40426, Colormap.COOLWARM.rgb(1));
    }

    @Test
    void grayIsLinearAndDivergingMapsAreNeutralInTheMiddle() {
        assertEquals(0x000000, Colormap.GRAY.rgb(0));
        assertEquals(0xFFFFFF, Colormap.GRAY.rgb(1));
        // index round(0.5 * 255) = 128 -> level 128
        assertEquals(0x808080, Colormap.GRAY.rgb(0.5));
        int mid = Colormap.SEISMIC.rgb(0.5);
        assertTrue(((mid >> 16) & 0xFF) > 250 && ((mid >> 8) & 0xFF) > 250 && (mid & 0xFF) > 250,
                Integer.toHexString(mid));
        int cw = Colormap.COOLWARM.rgb(0.5);
        assertTrue(Math.abs(((cw >> 16) & 0xFF) - 0xDD) <= 2 && Math.abs((cw & 0xFF) - 0xDD) <= 2,
                Integer.toHexString(cw));
        assertTrue(Colormap.COOLWARM.isDiverging());
    }

    @Test
    void interpolatesBetweenAnchorsAndClamps() {
        Colormap two = Colormap.evenly("test", false, 0x000000, 0xFF0000);
        assertEquals(256, two.lut().length);
        assertEquals(100 << 16, two.rgb(100 / 255.0));
        assertEquals(0x000000, two.rgb(-3));
        assertEquals(0xFF0000, two.rgb(7));
        assertEquals(0x000000, two.rgb(Double.NaN));
    }

    @Test
    void namedAndReversed() {
        assertEquals(Colormap.VIRIDIS.rgb(0), Colormap.named("Viridis_r").rgb(1));
        assertEquals("viridis_r", Colormap.VIRIDIS.reversed().name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Colormap.named("rainbowz"));
        assertTrue(e.getMessage().contains("viridis"), e.getMessage());
    }
}

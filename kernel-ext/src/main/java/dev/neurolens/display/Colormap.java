package dev.neurolens.display;

import java.awt.Color;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A colour scale: a value in [0,1] to an RGB colour through a 256-entry lookup table. The tables are built by
 * linear interpolation between a handful of anchor colours sampled from the reference maps (matplotlib's
 * viridis family, MATLAB's jet, Moreland's cool-warm), close enough to the originals to read the same.
 *
 * <p>Sequential maps (viridis, inferno, magma, gray) suit non-negative scores; diverging maps (coolwarm,
 * seismic) suit signed attributions, with 0.5 as the neutral midpoint.
 */
public final class Colormap {
    public static final int SIZE = 256;

    public static final Colormap VIRIDIS = evenly("viridis", false,
            0x440154, 0x472D7B, 0x3B528B, 0x2C728E, 0x21908C, 0x27AD81, 0x5DC863, 0xAADC32, 0xFDE725);
    public static final Colormap INFERNO = evenly("inferno", false,
            0x000004, 0x1F0C48, 0x550F6D, 0x88226A, 0xBA3655, 0xE35933, 0xF98C0A, 0xF9C932, 0xFCFFA4);
    public static final Colormap MAGMA = evenly("magma", false,
            0x000004, 0x1C1044, 0x4F127B, 0x812581, 0xB5367A, 0xE55064, 0xFB8761, 0xFEC287, 0xFCFDBF);
    public static final Colormap JET = evenly("jet", false,
            0x000080, 0x0000FF, 0x00FFFF, 0xFFFF00, 0xFF0000, 0x800000);
    public static final Colormap GRAY = evenly("gray", false, 0x000000, 0xFFFFFF);
    public static final Colormap COOLWARM = evenly("coolwarm", true,
            0x3B4CC0, 0x6282EA, 0x8DB0FE, 0xB8D0F9, 0xDDDDDD, 0xF5C4AD, 0xF49A7B, 0xDE604D, 0xB40426);
    public static final Colormap SEISMIC = evenly("seismic", true, 0x00004C, 0x0000FF, 0xFFFFFF, 0xFF0000, 0x800000);

    private static final Map<String, Colormap> BY_NAME = new LinkedHashMap<>();

    static {
        for (Colormap c : List.of(VIRIDIS, INFERNO, MAGMA, JET, GRAY, COOLWARM, SEISMIC)) {
            BY_NAME.put(c.name, c);
        }
    }

    private final String name;
    private final boolean diverging;
    private final int[] lut;

    private Colormap(String name, boolean diverging, int[] lut) {
        this.name = name;
        this.diverging = diverging;
        this.lut = lut;
    }

    /** A map through evenly spaced anchor colours (0xRRGGBB), first at 0, last at 1. */
    public static Colormap evenly(String name, boolean diverging, int... anchors) {
        if (anchors.length < 2) {
            throw new IllegalArgumentException("a colormap needs at least 2 anchor colours, got " + anchors.length);
        }
        double[] positions = new double[anchors.length];
        for (int i = 0; i < anchors.length; i++) {
            positions[i] = i / (double) (anchors.length - 1);
        }
        return fromAnchors(name, diverging, positions, anchors);
    }

    /** A map through anchor colours at increasing positions from 0 to 1. */
    public static Colormap fromAnchors(String name, boolean diverging, double[] positions, int[] colors) {
        if (positions.length != colors.length || positions.length < 2 || positions[0] != 0
                || positions[positions.length - 1] != 1) {
            throw new IllegalArgumentException("anchors need matching positions and colours, from 0 to 1");
        }
        int[] lut = new int[SIZE];
        int seg = 0;
        for (int i = 0; i < SIZE; i++) {
            double t = i / (double) (SIZE - 1);
            while (seg < positions.length - 2 && t > positions[seg + 1]) {
                seg++;
            }
            double span = positions[seg + 1] - positions[seg];
            double f = span <= 0 ? 0 : (t - positions[seg]) / span;
            lut[i] = lerp(colors[seg], colors[seg + 1], Math.max(0, Math.min(1, f)));
        }
        return new Colormap(name, diverging, lut);
    }

    /** One of the built-in maps by name (case-insensitive; "_r" suffix reverses it). */
    public static Colormap named(String name) {
        String key = name.toLowerCase(Locale.ROOT);
        boolean reversed = key.endsWith("_r");
        Colormap c = BY_NAME.get(reversed ? key.substring(0, key.length() - 2) : key);
        if (c == null) {
            throw new IllegalArgumentException("no colormap '" + name + "'; built in: " + String.join(", ",
                    BY_NAME.keySet()) + " (append _r to reverse)");
        }
        return reversed ? c.reversed() : c;
    }

    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    public String name() {
        return name;
    }

    /** Whether the map is meant for signed data, centred on 0.5. */
    public boolean isDiverging() {
        return diverging;
    }

    /** 0xRRGGBB for t in [0,1]; values outside are clamped and NaN maps to the low end. */
    public int rgb(double t) {
        return lut[index(t)];
    }

    public Color color(double t) {
        return new Color(rgb(t));
    }

    /** Table index for t: 0..255. */
    static int index(double t) {
        if (!(t > 0)) {
            return 0;
        }
        return t >= 1 ? SIZE - 1 : (int) Math.round(t * (SIZE - 1));
    }

    /** A copy of the 256-entry table of 0xRRGGBB values. */
    public int[] lut() {
        return lut.clone();
    }

    public Colormap reversed() {
        int[] r = new int[SIZE];
        for (int i = 0; i < SIZE; i++) {
            r[i] = lut[SIZE - 1 - i];
        }
        String n = name.endsWith("_r") ? name.substring(0, name.length() - 2) : name + "_r";
        return new Colormap(n, diverging, r);
    }

    @Override
    public String toString() {
        return "Colormap " + name;
    }

    private static int lerp(int a, int b, double f) {
        int r = (int) Math.round(((a >> 16) & 0xFF) * (1 - f) + ((b >> 16) & 0xFF) * f);
        int g = (int) Math.round(((a >> 8) & 0xFF) * (1 - f) + ((b >> 8) & 0xFF) * f);
        int bl = (int) Math.round((a & 0xFF) * (1 - f) + (b & 0xFF) * f);
        return r << 16 | g << 8 | bl;
    }
}

package dev.neurolens.data;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;

/**
 * Procedural outdoor scenes with exact per-pixel concept labels: a sky with sun and clouds, mountains on the
 * horizon, grass and a road, buildings (walls, roofs, doors, windows) and trees in front of and behind them.
 * Seeded, so scene {@code i} is the same everywhere. A GAN trained on them learns objects that can be dissected
 * against ground truth, which no real data set on these machines offers.
 *
 * <p>Colours per concept are distinct but jittered, and every surface carries a little noise, so the concepts
 * are learnable yet not trivially a colour lookup.
 *
 * <pre>{@code
 * Scenes.Scene s = Scenes.render(7, 64);
 * s.image();                    // BufferedImage 64 x 64
 * s.mask(Scenes.TREE);          // boolean[64 * 64], exact
 * float[] batch = Scenes.batch(0, 64, 64);  // 64 x 3 x 64 x 64 in [-1, 1], for training
 * }</pre>
 */
public final class Scenes {
    public static final int SKY = 0;
    public static final int CLOUD = 1;
    public static final int SUN = 2;
    public static final int MOUNTAIN = 3;
    public static final int GRASS = 4;
    public static final int ROAD = 5;
    public static final int TREE = 6;
    public static final int BUILDING = 7;
    public static final int ROOF = 8;
    public static final int DOOR = 9;
    public static final int WINDOW = 10;

    /** Concept names, indexed by label. */
    public static final List<String> CONCEPTS = List.of("sky", "cloud", "sun", "mountain", "grass", "road", "tree",
            "building", "roof", "door", "window");

    /** Default side, the size the built-in scenes GAN is trained at. */
    public static final int DEFAULT_SIZE = 64;

    private static final float[][] WALLS = {{0.87f, 0.80f, 0.65f}, {0.72f, 0.36f, 0.28f}, {0.80f, 0.80f, 0.82f},
        {0.93f, 0.88f, 0.78f}, {0.65f, 0.55f, 0.42f}};
    private static final float[][] ROOFS = {{0.55f, 0.16f, 0.12f}, {0.30f, 0.30f, 0.35f}, {0.45f, 0.28f, 0.16f}};

    private Scenes() {
    }

    /** One rendered scene: RGB in [0, 1] (row-major, 3 planes) and a label per pixel. Immutable. */
    public static final class Scene {
        private final int size;
        private final float[] rgb;
        private final byte[] labels;
        private final long seed;

        private Scene(int size, float[] rgb, byte[] labels, long seed) {
            this.size = size;
            this.rgb = rgb;
            this.labels = labels;
            this.seed = seed;
        }

        public int size() {
            return size;
        }

        public long seed() {
            return seed;
        }

        /** Label of pixel (x, y), an index into {@link #CONCEPTS}. */
        public int label(int x, int y) {
            return labels[y * size + x];
        }

        /** All labels, row-major. */
        public int[] labels() {
            int[] l = new int[labels.length];
            for (int i = 0; i < l.length; i++) {
                l[i] = labels[i];
            }
            return l;
        }

        /** Pixels of one concept, row-major. */
        public boolean[] mask(int concept) {
            boolean[] m = new boolean[labels.length];
            for (int i = 0; i < m.length; i++) {
                m[i] = labels[i] == concept;
            }
            return m;
        }

        /** The image as 3 x H x W values in [0, 1] (row-major planes), a copy. */
        public float[] rgb() {
            return rgb.clone();
        }

        public BufferedImage image() {
            BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            int plane = size * size;
            for (int i = 0; i < plane; i++) {
                int r = Math.round(rgb[i] * 255);
                int g = Math.round(rgb[plane + i] * 255);
                int b = Math.round(rgb[2 * plane + i] * 255);
                img.setRGB(i % size, i / size, (r << 16) | (g << 8) | b);
            }
            return img;
        }

        /** The label map in a fixed false-colour palette, for showing next to the image. */
        public BufferedImage labelImage() {
            return Scenes.labelImage(labels(), size);
        }

        @Override
        public String toString() {
            return "Scene[seed " + seed + ", " + size + "x" + size + "]";
        }
    }

    /**
     * False colours of the concepts, for label images and legends: unlike the scenes' own colours (ColorBrewer's
     * "Paired"), so a label map never looks like the picture it labels.
     */
    public static final int[] PALETTE = {0x6A3D9A, 0xCAB2D6, 0xFFFF99, 0xB15928, 0xB2DF8A, 0xFB9A99, 0x33A02C,
        0x1F78B4, 0xE31A1C, 0xFF7F00, 0xA6CEE3};

    /**
     * A label map ({@code labels[y * size + x]}, concept indices as in {@link #CONCEPTS}, negative = none, shown
     * black) in the {@link #PALETTE} false colours: exact labels or a segmenter's.
     */
    public static BufferedImage labelImage(int[] labels, int size) {
        if (labels.length != size * size) {
            throw new IllegalArgumentException(labels.length + " labels do not fill a " + size + "x" + size + " map");
        }
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < labels.length; i++) {
            int l = labels[i];
            img.setRGB(i % size, i / size, l >= 0 && l < PALETTE.length ? PALETTE[l] : 0);
        }
        return img;
    }

    /** The palette's key: a swatch and a name per concept, one row. */
    public static BufferedImage legend() {
        int cell = 84;
        BufferedImage img = new BufferedImage(cell * CONCEPTS.size(), 22, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_TEXT_ANTIALIASING, java.awt.RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
        for (int i = 0; i < CONCEPTS.size(); i++) {
            g.setColor(new java.awt.Color(PALETTE[i]));
            g.fillRect(i * cell + 2, 4, 14, 14);
            g.setColor(java.awt.Color.DARK_GRAY);
            g.drawRect(i * cell + 2, 4, 14, 14);
            g.drawString(CONCEPTS.get(i), i * cell + 20, 16);
        }
        g.dispose();
        return img;
    }

    /** Scene number {@code seed} at {@code size x size}; the layout scales with the size. */
    public static Scene render(long seed, int size) {
        if (size < 16) {
            throw new IllegalArgumentException("scenes need at least 16 x 16 pixels, got " + size);
        }
        return new Painter(seed, size).paint();
    }

    /** {@code n} consecutive scenes from {@code firstSeed} as {@code n x 3 x size x size} values in [-1, 1], row-major. */
    public static float[] batch(long firstSeed, int n, int size) {
        int per = 3 * size * size;
        float[] out = new float[n * per];
        for (int i = 0; i < n; i++) {
            Scene s = render(firstSeed + i, size);
            for (int j = 0; j < per; j++) {
                out[i * per + j] = s.rgb[j] * 2 - 1;
            }
        }
        return out;
    }

    /** Label maps of {@code n} consecutive scenes, {@code n x size x size}, matching {@link #batch}. */
    public static int[][] labels(long firstSeed, int n, int size) {
        int[][] l = new int[n][];
        for (int i = 0; i < n; i++) {
            l[i] = render(firstSeed + i, size).labels();
        }
        return l;
    }

    /** Paints one scene back to front; each primitive writes colour and label together so they always agree. */
    private static final class Painter {
        private final Random r;
        private final int size;
        private final long seed;
        private final float[] rgb;
        private final byte[] labels;

        Painter(long seed, int size) {
            // mix the seed so neighbouring seeds give unrelated scenes
            this.r = new Random(seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L);
            this.size = size;
            this.seed = seed;
            this.rgb = new float[3 * size * size];
            this.labels = new byte[size * size];
        }

        Scene paint() {
            float horizon = 0.42f + 0.2f * r.nextFloat();
            sky(horizon);
            if (r.nextFloat() < 0.35f) {
                float sr = 0.05f + 0.03f * r.nextFloat();
                ellipse(0.1f + 0.8f * r.nextFloat(), 0.06f + (horizon - 0.25f) * r.nextFloat(), sr, sr, SUN,
                        jitter(new float[] {1f, 0.85f, 0.25f}, 0.04f), 0.01f);
            }
            int clouds = r.nextInt(4);
            for (int i = 0; i < clouds; i++) {
                cloud(0.05f + 0.9f * r.nextFloat(), 0.05f + (horizon - 0.2f) * r.nextFloat());
            }
            if (r.nextFloat() < 0.5f) {
                mountains(horizon);
            }
            ground(horizon);
            // trees behind buildings, then buildings, then trees in front
            int back = r.nextInt(3);
            for (int i = 0; i < back; i++) {
                tree(horizon, 0.55f + 0.25f * r.nextFloat());
            }
            int buildings = r.nextInt(4);
            for (int i = 0; i < buildings; i++) {
                building(horizon);
            }
            int front = r.nextInt(4);
            for (int i = 0; i < front; i++) {
                tree(horizon, 0.9f + 0.35f * r.nextFloat());
            }
            return new Scene(size, rgb, labels, seed);
        }

        private float[] jitter(float[] c, float amount) {
            return new float[] {clamp(c[0] + amount * (2 * r.nextFloat() - 1)),
                clamp(c[1] + amount * (2 * r.nextFloat() - 1)), clamp(c[2] + amount * (2 * r.nextFloat() - 1))};
        }

        private void set(int x, int y, int label, float[] c, float noise) {
            if (x < 0 || y < 0 || x >= size || y >= size) {
                return;
            }
            int i = y * size + x;
            int plane = size * size;
            float n = noise * (2 * r.nextFloat() - 1);
            rgb[i] = clamp(c[0] + n);
            rgb[plane + i] = clamp(c[1] + n);
            rgb[2 * plane + i] = clamp(c[2] + n);
            labels[i] = (byte) label;
        }

        private void sky(float horizon) {
            float[] top = jitter(new float[] {0.25f, 0.5f, 0.85f}, 0.06f);
            float[] low = jitter(new float[] {0.65f, 0.8f, 0.95f}, 0.04f);
            int h = Math.round(horizon * size);
            for (int y = 0; y < h; y++) {
                float t = y / (float) Math.max(1, h);
                float[] c = {top[0] + t * (low[0] - top[0]), top[1] + t * (low[1] - top[1]), top[2] + t * (low[2] - top[2])};
                for (int x = 0; x < size; x++) {
                    set(x, y, SKY, c, 0.01f);
                }
            }
        }

        private void cloud(float cx, float cy) {
            float[] c = jitter(new float[] {0.96f, 0.96f, 0.97f}, 0.02f);
            float w = 0.06f + 0.06f * r.nextFloat();
            int puffs = 2 + r.nextInt(3);
            for (int i = 0; i < puffs; i++) {
                float dx = (i - (puffs - 1) / 2f) * w * 0.9f;
                ellipse(cx + dx, cy + 0.01f * r.nextFloat(), w * (0.8f + 0.4f * r.nextFloat()), w * 0.55f, CLOUD, c, 0.015f);
            }
        }

        private void mountains(float horizon) {
            float[] c = jitter(new float[] {0.48f, 0.43f, 0.55f}, 0.05f);
            int peaks = 1 + r.nextInt(3);
            for (int p = 0; p < peaks; p++) {
                float px = r.nextFloat();
                float height = 0.08f + 0.14f * r.nextFloat();
                float half = 0.15f + 0.2f * r.nextFloat();
                int hy = Math.round(horizon * size);
                for (int x = 0; x < size; x++) {
                    float fx = (x + 0.5f) / size;
                    float top = horizon - height * Math.max(0, 1 - Math.abs(fx - px) / half);
                    for (int y = Math.round(top * size); y < hy; y++) {
                        if (labels[y * size + x] != SUN) {
                            set(x, y, MOUNTAIN, c, 0.02f);
                        }
                    }
                }
            }
        }

        private void ground(float horizon) {
            float[] grass = jitter(new float[] {0.35f, 0.62f, 0.22f}, 0.06f);
            float[] road = jitter(new float[] {0.5f, 0.5f, 0.5f}, 0.06f);
            boolean hasRoad = r.nextFloat() < 0.5f;
            float roadX = 0.2f + 0.6f * r.nextFloat();
            float roadTop = 0.02f + 0.04f * r.nextFloat();
            float roadBottom = 0.25f + 0.2f * r.nextFloat();
            int h = Math.round(horizon * size);
            for (int y = h; y < size; y++) {
                float t = (y - h) / (float) Math.max(1, size - h);
                float half = roadTop + t * (roadBottom - roadTop);
                float centre = roadX + t * (0.5f - roadX);
                for (int x = 0; x < size; x++) {
                    float fx = (x + 0.5f) / size;
                    if (hasRoad && Math.abs(fx - centre) < half) {
                        set(x, y, ROAD, road, 0.03f);
                    } else {
                        set(x, y, GRASS, new float[] {grass[0] * (0.9f + 0.2f * t), grass[1] * (0.9f + 0.2f * t),
                            grass[2]}, 0.05f);
                    }
                }
            }
        }

        private void building(float horizon) {
            float w = 0.16f + 0.2f * r.nextFloat();
            float h = 0.18f + 0.25f * r.nextFloat();
            float left = -0.05f + (1.0f - w) * r.nextFloat();
            float base = horizon + 0.02f + 0.12f * r.nextFloat();
            float top = base - h;
            float[] wall = jitter(WALLS[r.nextInt(WALLS.length)], 0.04f);
            rect(left, top, left + w, base, BUILDING, wall, 0.02f);
            float[] roof = jitter(ROOFS[r.nextInt(ROOFS.length)], 0.04f);
            if (r.nextBoolean()) {
                float rh = 0.06f + 0.06f * r.nextFloat();
                triangle(left - 0.015f, left + w + 0.015f, top, rh, roof);
            } else {
                rect(left - 0.01f, top - 0.035f, left + w + 0.01f, top, ROOF, roof, 0.02f);
            }
            // windows in a grid on the upper part, a door at the bottom
            float[] glass = jitter(r.nextFloat() < 0.7f ? new float[] {0.55f, 0.8f, 0.95f} : new float[] {0.98f, 0.9f, 0.45f}, 0.04f);
            float ws = 0.035f + 0.015f * r.nextFloat();
            int cols = Math.max(1, Math.round(w / (ws * 2.4f)));
            int rows = Math.max(1, Math.round((h - 0.1f) / (ws * 2.4f)));
            float gapX = (w - cols * ws) / (cols + 1);
            float gapY = ws * 1.2f;
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    float x0 = left + gapX + j * (ws + gapX);
                    float y0 = top + gapY + i * (ws + gapY);
                    if (y0 + ws < base - 0.09f) {
                        rect(x0, y0, x0 + ws, y0 + ws, WINDOW, glass, 0.02f);
                    }
                }
            }
            float dw = 0.045f + 0.02f * r.nextFloat();
            float dx = left + (w - dw) * (0.25f + 0.5f * r.nextFloat());
            rect(dx, base - 0.085f - 0.02f * r.nextFloat(), dx + dw, base, DOOR,
                    jitter(new float[] {0.36f, 0.2f, 0.1f}, 0.04f), 0.02f);
        }

        private void tree(float horizon, float scale) {
            float cx = r.nextFloat();
            float base = horizon + (0.05f + 0.3f * r.nextFloat()) * Math.min(1f, scale);
            float trunkH = 0.06f * scale + 0.03f * r.nextFloat();
            float trunkW = 0.02f * scale + 0.01f;
            float crown = (0.075f + 0.05f * r.nextFloat()) * scale;
            float[] bark = jitter(new float[] {0.4f, 0.27f, 0.14f}, 0.03f);
            float[] leaves = jitter(new float[] {0.1f, 0.4f, 0.15f}, 0.05f);
            rect(cx - trunkW / 2, base - trunkH - crown * 0.5f, cx + trunkW / 2, base, TREE, bark, 0.02f);
            if (r.nextFloat() < 0.3f) {
                // a conifer: stacked triangles
                for (int i = 0; i < 3; i++) {
                    float ty = base - trunkH - i * crown * 0.6f;
                    triangleLabel(cx - crown * (1 - 0.2f * i), cx + crown * (1 - 0.2f * i), ty, crown * 1.1f, TREE, leaves);
                }
            } else {
                float cy = base - trunkH - crown * 0.8f;
                ellipse(cx, cy, crown, crown * 1.1f, TREE, leaves, 0.06f);
                ellipse(cx - crown * 0.5f, cy + crown * 0.3f, crown * 0.7f, crown * 0.7f, TREE, leaves, 0.06f);
                ellipse(cx + crown * 0.5f, cy + crown * 0.3f, crown * 0.7f, crown * 0.7f, TREE, leaves, 0.06f);
            }
        }

        private void rect(float x0, float y0, float x1, float y1, int label, float[] c, float noise) {
            for (int y = Math.round(y0 * size); y < Math.round(y1 * size); y++) {
                for (int x = Math.round(x0 * size); x < Math.round(x1 * size); x++) {
                    set(x, y, label, c, noise);
                }
            }
        }

        private void ellipse(float cx, float cy, float rx, float ry, int label, float[] c, float noise) {
            int ya = (int) Math.floor((cy - ry) * size);
            int yb = (int) Math.ceil((cy + ry) * size);
            int xa = (int) Math.floor((cx - rx) * size);
            int xb = (int) Math.ceil((cx + rx) * size);
            for (int y = ya; y <= yb; y++) {
                for (int x = xa; x <= xb; x++) {
                    float dx = ((x + 0.5f) / size - cx) / rx;
                    float dy = ((y + 0.5f) / size - cy) / ry;
                    if (dx * dx + dy * dy <= 1) {
                        set(x, y, label, c, noise);
                    }
                }
            }
        }

        private void triangle(float x0, float x1, float baseY, float height, float[] c) {
            triangleLabel(x0, x1, baseY, height, ROOF, c);
        }

        /** An isosceles triangle standing on {@code baseY} between x0 and x1. */
        private void triangleLabel(float x0, float x1, float baseY, float height, int label, float[] c) {
            float mid = (x0 + x1) / 2;
            float half = (x1 - x0) / 2;
            for (int y = (int) Math.floor((baseY - height) * size); y < Math.round(baseY * size); y++) {
                float t = (baseY - (y + 0.5f) / size) / height; // 0 at base, 1 at apex
                if (t < 0 || t > 1) {
                    continue;
                }
                float w = half * (1 - t);
                for (int x = Math.round((mid - w) * size); x < Math.round((mid + w) * size); x++) {
                    set(x, y, label, c, 0.02f);
                }
            }
        }

        private static float clamp(float v) {
            return Math.max(0f, Math.min(1f, v));
        }
    }
}

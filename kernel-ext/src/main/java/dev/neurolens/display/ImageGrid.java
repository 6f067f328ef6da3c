package dev.neurolens.display;

import ai.djl.ndarray.NDArray;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Many pictures in one PNG: rows of equal square cells, each image fitted into its cell, an optional caption
 * under each and a title on top. Immutable; each setter returns a copy.
 *
 * <pre>{@code ImageGrid.of(patches).columns(4).captions(labels).title("top-8 patches, fire9:12")}</pre>
 */
public final class ImageGrid implements Rendered {
    private static final int AUTO = 0;
    private static final int MIN_AUTO_CELL = 96;
    private static final int MAX_AUTO_CELL = 256;

    private final List<BufferedImage> images;
    private final List<String> captions;
    private final String title;
    private final int columns;
    private final int cellSize;
    private final int padding;
    private final Color background;

    private ImageGrid(List<BufferedImage> images, List<String> captions, String title, int columns, int cellSize,
            int padding, Color background) {
        this.images = images;
        this.captions = captions;
        this.title = title;
        this.columns = columns;
        this.cellSize = cellSize;
        this.padding = padding;
        this.background = background;
    }

    /**
     * Pictures of any type {@link Images#toImage} accepts. A single NDArray holding a batch (NxCxHxW, NxHxWxC,
     * NxHxW) is split into its images.
     */
    public static ImageGrid of(Object... images) {
        if (images.length == 1 && images[0] instanceof NDArray batch) {
            return new ImageGrid(List.copyOf(Images.fromBatch(batch)), List.of(), null, AUTO, AUTO, 6, Color.WHITE);
        }
        return of(Arrays.asList(images));
    }

    public static ImageGrid of(List<?> images) {
        List<BufferedImage> converted = new ArrayList<>(images.size());
        for (Object o : images) {
            converted.add(Images.toImage(o));
        }
        return new ImageGrid(List.copyOf(converted), List.of(), null, AUTO, AUTO, 6, Color.WHITE);
    }

    public ImageGrid captions(String... newCaptions) {
        return captions(Arrays.asList(newCaptions));
    }

    /** One caption per image, in order; fewer captions than images leaves the rest blank. */
    public ImageGrid captions(List<String> newCaptions) {
        if (newCaptions.size() > images.size()) {
            throw new IllegalArgumentException(newCaptions.size() + " captions for " + images.size() + " images");
        }
        List<String> copy = new ArrayList<>(newCaptions.size());
        for (String c : newCaptions) {
            copy.add(c == null ? "" : c);
        }
        return new ImageGrid(images, List.copyOf(copy), title, columns, cellSize, padding, background);
    }

    public ImageGrid title(String newTitle) {
        return new ImageGrid(images, captions, newTitle, columns, cellSize, padding, background);
    }

    public ImageGrid columns(int n) {
        requirePositive("columns", n);
        return new ImageGrid(images, captions, title, n, cellSize, padding, background);
    }

    /** Side of each square cell in pixels; images are fitted into it with their aspect kept. */
    public ImageGrid cellSize(int px) {
        requirePositive("cellSize", px);
        return new ImageGrid(images, captions, title, columns, px, padding, background);
    }

    public ImageGrid padding(int px) {
        if (px < 0) {
            throw new IllegalArgumentException("padding must be >= 0, got " + px);
        }
        return new ImageGrid(images, captions, title, columns, cellSize, px, background);
    }

    public ImageGrid background(Color color) {
        return new ImageGrid(images, captions, title, columns, cellSize, padding, color);
    }

    public List<BufferedImage> images() {
        return images;
    }

    public int size() {
        return images.size();
    }

    /** Up to 8 images go in one row; more make a roughly square grid. */
    public int effectiveColumns() {
        if (columns != AUTO) {
            return columns;
        }
        int n = Math.max(1, images.size());
        return n <= 8 ? n : (int) Math.ceil(Math.sqrt(n));
    }

    /** Explicit cell size, or the largest image side, enlarged by a whole factor up to 96 px and capped at 256. */
    public int effectiveCellSize() {
        if (cellSize != AUTO) {
            return cellSize;
        }
        int side = 1;
        for (BufferedImage im : images) {
            side = Math.max(side, Math.max(im.getWidth(), im.getHeight()));
        }
        if (side < MIN_AUTO_CELL) {
            return side * (int) Math.ceil(MIN_AUTO_CELL / (double) side);
        }
        return Math.min(side, MAX_AUTO_CELL);
    }

    public BufferedImage render() {
        int cols = effectiveColumns();
        int rows = Math.max(1, (images.size() + cols - 1) / cols);
        int cell = effectiveCellSize();
        Font captionFont = Draw.font(12, false);
        Font titleFont = Draw.font(15, true);
        int captionH = captions.isEmpty() ? 0 : Draw.lineHeight(captionFont) + 2;
        int titleH = title == null || title.isEmpty() ? 0 : Draw.lineHeight(titleFont) + padding;
        int width = cols * cell + (cols + 1) * padding;
        int height = titleH + rows * (cell + captionH) + (rows + 1) * padding;

        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Draw.canvas(out, background);
        try {
            Color text = Draw.textOn(background);
            if (titleH > 0) {
                g.setFont(titleFont);
                g.setColor(text);
                Draw.centeredText(g, title, width / 2, padding + g.getFontMetrics().getAscent(), width - 2 * padding);
            }
            g.setFont(captionFont);
            for (int i = 0; i < images.size(); i++) {
                int x = cellX(i, cols, cell);
                int y = cellY(i, cols, cell, captionH, titleH);
                Draw.fit(g, images.get(i), x, y, cell, cell);
                if (i < captions.size() && !captions.get(i).isEmpty()) {
                    g.setColor(text);
                    Draw.centeredText(g, captions.get(i), x + cell / 2, y + cell + 1 + g.getFontMetrics().getAscent(),
                            cell + padding);
                }
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Left edge of cell i, for tests and for callers that annotate a rendered grid. */
    int cellX(int i, int cols, int cell) {
        return padding + (i % cols) * (cell + padding);
    }

    int cellY(int i, int cols, int cell, int captionH, int titleH) {
        return titleH + padding + (i / cols) * (cell + captionH + padding);
    }

    @Override
    public String toString() {
        return "ImageGrid of " + images.size() + " images" + (title == null ? "" : " '" + title + "'");
    }

    private static void requirePositive(String what, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, got " + v);
        }
    }
}

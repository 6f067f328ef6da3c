package dev.neurolens.features;

import dev.neurolens.display.Rendered;
import dev.neurolens.model.Network;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Locale;

/**
 * Query pictures beside their nearest neighbours in a data set, found two ways: by a layer's features and by
 * raw pixels (Krizhevsky et al. 2012, figure 4). A green frame marks a neighbour of the query's class, red
 * another class; the title gives each method's share of same-class neighbours. Immutable.
 *
 * <pre>{@code NeighborComparison.of(net, "fc1", ImageSet.fashionMnistTest(), new int[] {0, 1, 2}, 6)}</pre>
 */
public final class NeighborComparison implements Rendered {
    private final ImageSet data;
    private final int[] queries;
    private final NearestNeighbors.Neighbors byFeatures;
    private final NearestNeighbors.Neighbors byPixels;
    private final String featureName;

    private NeighborComparison(ImageSet data, int[] queries, NearestNeighbors.Neighbors byFeatures,
            NearestNeighbors.Neighbors byPixels, String featureName) {
        this.data = data;
        this.queries = queries;
        this.byFeatures = byFeatures;
        this.byPixels = byPixels;
        this.featureName = featureName;
    }

    /** Computes the features of {@code layer} and the pixels for the whole set, then both searches. */
    public static NeighborComparison of(Network net, String layer, ImageSet data, int[] queries, int k) {
        FeatureMatrix features = Features.of(net, layer, data);
        FeatureMatrix pixels = Features.of(net, "input", data);
        return of(data, features, pixels, queries, k, net.name() + " " + layer);
    }

    /** With features already at hand (rows = image ids of {@code data}). */
    public static NeighborComparison of(ImageSet data, FeatureMatrix features, FeatureMatrix pixels, int[] queries,
            int k, String featureName) {
        NearestNeighbors.Neighbors f = NearestNeighbors.of(features).queryRows(queries, k);
        NearestNeighbors.Neighbors p = NearestNeighbors.of(pixels).queryRows(queries, k);
        return new NeighborComparison(data, queries.clone(), f, p, featureName);
    }

    public NearestNeighbors.Neighbors byFeatures() {
        return byFeatures;
    }

    public NearestNeighbors.Neighbors byPixels() {
        return byPixels;
    }

    /** Share of neighbours (over all queries) with the query's label. */
    public double sameClassShare(boolean features) {
        NearestNeighbors.Neighbors nn = features ? byFeatures : byPixels;
        int same = 0;
        int all = 0;
        for (int q = 0; q < queries.length; q++) {
            for (int id : nn.indices(q)) {
                same += data.label(id) == data.label(queries[q]) ? 1 : 0;
                all++;
            }
        }
        return all == 0 ? 0 : same / (double) all;
    }

    public BufferedImage render() {
        int k = byFeatures.k();
        int cell = 56;
        int pad = 6;
        int caption = 14;
        int gap = 28;
        int titleH = 44;
        int width = pad + (cell + pad) * (1 + 2 * k) + 2 * gap;
        int rowH = cell + caption + pad;
        int height = titleH + queries.length * rowH + pad;
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.DARK_GRAY);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            g.drawString(String.format(Locale.ROOT, "nearest neighbours in %s: same class %.0f%% by features, %.0f%% "
                    + "by pixels", data.name(), 100 * sameClassShare(true), 100 * sameClassShare(false)), pad, 16);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            int xf = pad + cell + pad + gap;
            int xp = xf + k * (cell + pad) + gap;
            g.drawString("query", pad, 36);
            g.drawString("by features (" + featureName + ")", xf, 36);
            g.drawString("by raw pixels", xp, 36);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
            for (int q = 0; q < queries.length; q++) {
                int y = titleH + q * rowH;
                draw(g, queries[q], pad, y, cell, caption, null);
                int label = data.label(queries[q]);
                int[] f = byFeatures.indices(q);
                int[] p = byPixels.indices(q);
                for (int j = 0; j < k; j++) {
                    draw(g, f[j], xf + j * (cell + pad), y, cell, caption, data.label(f[j]) == label);
                    draw(g, p[j], xp + j * (cell + pad), y, cell, caption, data.label(p[j]) == label);
                }
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    private void draw(Graphics2D g, int id, int x, int y, int cell, int caption, Boolean same) {
        g.drawImage(data.image(id), x, y, cell, cell, null);
        if (same != null) {
            g.setColor(same ? new Color(0x2CA02C) : new Color(0xD62728));
            g.setStroke(new BasicStroke(2));
            g.drawRect(x - 1, y - 1, cell + 1, cell + 1);
        }
        g.setColor(Color.DARK_GRAY);
        String name = data.labelName(id);
        g.drawString(name.length() > 11 ? name.substring(0, 10) + "." : name, x, y + cell + caption - 3);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "NeighborComparison[%d queries, k=%d, same class %.2f by %s vs %.2f by pixels]",
                queries.length, byFeatures.k(), sameClassShare(true), featureName, sameClassShare(false));
    }
}

package dev.neurolens.features;

import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.Tensor;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The recipes of the image sets that can be rebuilt elsewhere; each JVM opens a recipe once and keeps the set. */
final class ImageSetRecipes {
    private static final Map<ImageSet.Recipe, ImageSet> OPEN = new ConcurrentHashMap<>();

    private ImageSetRecipes() {
    }

    static ImageSet cached(ImageSet.Recipe r, java.util.function.Supplier<ImageSet> make) {
        return OPEN.computeIfAbsent(r, x -> make.get());
    }

    /** Fashion-MNIST: "test" (10k) or "all" (test then train, 70k). */
    record Fashion(String split) implements ImageSet.Recipe {
        public ImageSet open() {
            return cached(this, () -> split.equals("all") ? ImageSet.fashionMnist() : ImageSet.fashionMnistTest());
        }
    }

    /**
     * The pictures under a folder, by absolute path, and how many the driver saw there: a worker that sees another
     * folder (missing, or with other pictures) would number them differently, so it stops with the reason.
     */
    record Folder(String dir, int size) implements ImageSet.Recipe {
        public ImageSet open() {
            ImageSet set;
            try {
                set = cached(this, () -> ImageSet.folder(Path.of(dir)));
            } catch (RuntimeException e) {
                throw new IllegalStateException("this worker cannot read the folder " + dir + " (" + e.getMessage()
                        + "); every worker must see the pictures at the same path", e);
            }
            if (set.size() != size) {
                throw new IllegalStateException("this worker finds " + set.size() + " pictures under " + dir
                        + ", the driver found " + size + "; every worker must see the same folder");
            }
            return set;
        }
    }

    /** The first {@code n} of another recipe's set. */
    record First(ImageSet.Recipe of, int n) implements ImageSet.Recipe {
        public ImageSet open() {
            ImageSet all = of.open(); // outside the cache's update: it may not nest
            return cached(this, () -> all.first(n));
        }
    }

    /** {@code set} with {@code recipe}; everything else is the set's own. */
    static ImageSet withRecipe(ImageSet set, ImageSet.Recipe recipe) {
        return new ImageSet() {
            public int size() {
                return set.size();
            }

            public BufferedImage image(int i) {
                return set.image(i);
            }

            public int label(int i) {
                return set.label(i);
            }

            public List<String> labelNames() {
                return set.labelNames();
            }

            public String name() {
                return set.name();
            }

            public Tensor batch(int from, int to, Preprocessing p) {
                return set.batch(from, to, p);
            }

            public BufferedImage inputImage(int i, Preprocessing p) {
                return set.inputImage(i, p);
            }

            public ImageSet.Recipe recipe() {
                return recipe;
            }
        };
    }
}

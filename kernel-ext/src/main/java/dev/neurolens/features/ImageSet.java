package dev.neurolens.features;

import dev.neurolens.data.FashionMnist;
import dev.neurolens.data.Pictures;
import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.Tensor;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A labelled collection of pictures that techniques stream through a model in batches (top patches,
 * embeddings, neighbours). Image ids are positions {@code 0 .. size()-1}; a label of -1 means unlabelled.
 */
public interface ImageSet {

    int size();

    /** The picture as stored. */
    BufferedImage image(int i);

    /** Class index of picture {@code i}, or -1. */
    int label(int i);

    /** Names of the classes, index = label. */
    List<String> labelNames();

    /** A short description for titles, e.g. "Fashion-MNIST test+train (70000)". */
    String name();

    /**
     * How to build this same set in another JVM (a cluster's executors: {@link dev.neurolens.run.DataParallel}), or
     * null when it lives only in this one (pictures held in memory). Folders and Fashion-MNIST have one; a folder's
     * recipe is its absolute path, which every worker must see.
     */
    default Recipe recipe() {
        return null;
    }

    /** A way to build an image set again: small, serializable, the same ids in every JVM. */
    interface Recipe extends java.io.Serializable {
        ImageSet open();
    }

    default String labelName(int i) {
        int l = label(i);
        return l < 0 || l >= labelNames().size() ? "" : labelNames().get(l);
    }

    /** Pictures {@code [from, to)} preprocessed for the model: {@code [to-from, C, crop, crop]}. */
    default Tensor batch(int from, int to, Preprocessing p) {
        List<BufferedImage> images = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            images.add(image(i));
        }
        return p.toTensor(images);
    }

    /** The picture in the frame the model sees (resized and center-cropped): receptive fields refer to it. */
    default BufferedImage inputImage(int i, Preprocessing p) {
        return Preprocessing.centerCrop(Preprocessing.resizeShorter(image(i), p.resize()), p.crop());
    }

    /** The first {@code n} pictures. */
    default ImageSet first(int n) {
        ImageSet self = this;
        int m = Math.min(n, size());
        return new ImageSet() {
            public Recipe recipe() {
                Recipe r = self.recipe();
                return r == null ? null : new ImageSetRecipes.First(r, m);
            }

            public int size() {
                return m;
            }

            public BufferedImage image(int i) {
                return self.image(check(i, m));
            }

            public int label(int i) {
                return self.label(check(i, m));
            }

            public List<String> labelNames() {
                return self.labelNames();
            }

            public String name() {
                return self.name().replaceFirst(" \\(\\d+\\)$", "") + " (first " + m + ")";
            }

            public Tensor batch(int from, int to, Preprocessing p) {
                return self.batch(from, to, p);
            }
        };
    }

    /** Fashion-MNIST test (ids 0..9999) then train (10000..69999): the standard 70k set. */
    static ImageSet fashionMnist() {
        try {
            return ImageSetRecipes.withRecipe(concat("Fashion-MNIST test+train", of(FashionMnist.test(),
                    "Fashion-MNIST test"), of(FashionMnist.train(), "Fashion-MNIST train")),
                    new ImageSetRecipes.Fashion("all"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The 10k Fashion-MNIST test split. */
    static ImageSet fashionMnistTest() {
        try {
            return ImageSetRecipes.withRecipe(of(FashionMnist.test(), "Fashion-MNIST test"),
                    new ImageSetRecipes.Fashion("test"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ImageSet of(FashionMnist data, String name) {
        return new ImageSet() {
            public int size() {
                return data.size();
            }

            public BufferedImage image(int i) {
                return data.image(i);
            }

            public int label(int i) {
                return data.label(i);
            }

            public List<String> labelNames() {
                return FashionMnist.LABELS;
            }

            public String name() {
                return name + " (" + data.size() + ")";
            }

            // 28x28 gray needs no resampling: normalize the bytes directly, much faster than via BufferedImage
            public Tensor batch(int from, int to, Preprocessing p) {
                if (p.channels() != 1 || p.crop() != FashionMnist.SIZE || p.resize() != FashionMnist.SIZE) {
                    return ImageSet.super.batch(from, to, p);
                }
                int plane = FashionMnist.SIZE * FashionMnist.SIZE;
                float mean = p.mean()[0];
                float std = p.std()[0];
                float[] out = new float[(to - from) * plane];
                for (int i = from; i < to; i++) {
                    float[] px = data.pixels(i);
                    for (int k = 0; k < plane; k++) {
                        out[(i - from) * plane + k] = (px[k] - mean) / std;
                    }
                }
                return Tensor.of(out, to - from, 1, FashionMnist.SIZE, FashionMnist.SIZE);
            }
        };
    }

    /** Pictures with labels (or null for unlabelled) and class names. */
    static ImageSet of(List<BufferedImage> images, List<Integer> labels, List<String> labelNames, String name) {
        List<BufferedImage> im = List.copyOf(images);
        List<Integer> lab = labels == null ? null : List.copyOf(labels);
        List<String> names = labelNames == null ? List.of() : List.copyOf(labelNames);
        return new ImageSet() {
            public int size() {
                return im.size();
            }

            public BufferedImage image(int i) {
                return im.get(i);
            }

            public int label(int i) {
                return lab == null ? -1 : lab.get(i);
            }

            public List<String> labelNames() {
                return names;
            }

            public String name() {
                return name + " (" + im.size() + ")";
            }
        };
    }

    /**
     * The pictures under a folder (jpg, jpeg, png, bmp, gif), sorted by path; when they sit in subfolders, the
     * subfolder names are the classes. Pictures are read when asked for.
     */
    static ImageSet folder(java.nio.file.Path dir) {
        List<java.nio.file.Path> files;
        try (java.util.stream.Stream<java.nio.file.Path> walk = java.nio.file.Files.walk(dir)) {
            files = walk.filter(java.nio.file.Files::isRegularFile)
                    .filter(f -> f.getFileName().toString().toLowerCase(java.util.Locale.ROOT)
                            .matches(".*\\.(jpe?g|png|bmp|gif)"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no pictures (jpg, png, bmp, gif) under " + dir.toAbsolutePath());
        }
        List<String> classes = files.stream().map(f -> dir.relativize(f).getNameCount() > 1
                ? dir.relativize(f).getName(0).toString() : "").distinct().filter(c -> !c.isEmpty()).toList();
        String where = dir.toAbsolutePath().normalize().toString();
        return new ImageSet() {
            public int size() {
                return files.size();
            }

            public Recipe recipe() {
                return new ImageSetRecipes.Folder(where, files.size());
            }

            public BufferedImage image(int i) {
                return Pictures.read(files.get(i));
            }

            public int label(int i) {
                java.nio.file.Path rel = dir.relativize(files.get(i));
                return rel.getNameCount() > 1 ? classes.indexOf(rel.getName(0).toString()) : -1;
            }

            public List<String> labelNames() {
                return classes;
            }

            public String name() {
                return dir.getFileName() + " (" + files.size() + ")";
            }
        };
    }

    /** {@code a} then {@code b}; ids of {@code b} are shifted by {@code a.size()}. */
    static ImageSet concat(String name, ImageSet a, ImageSet b) {
        int na = a.size();
        return new ImageSet() {
            public int size() {
                return na + b.size();
            }

            public BufferedImage image(int i) {
                return i < na ? a.image(i) : b.image(i - na);
            }

            public int label(int i) {
                return i < na ? a.label(i) : b.label(i - na);
            }

            public List<String> labelNames() {
                return a.labelNames();
            }

            public String name() {
                return name + " (" + size() + ")";
            }

            public Tensor batch(int from, int to, Preprocessing p) {
                if (to <= na) {
                    return a.batch(from, to, p);
                }
                if (from >= na) {
                    return b.batch(from - na, to - na, p);
                }
                Tensor x = a.batch(from, na, p);
                Tensor y = b.batch(0, to - na, p);
                float[] xs = x.toFloatArray();
                float[] ys = y.toFloatArray();
                float[] all = new float[xs.length + ys.length];
                System.arraycopy(xs, 0, all, 0, xs.length);
                System.arraycopy(ys, 0, all, xs.length, ys.length);
                long[] s = x.shape();
                s[0] = to - from;
                return Tensor.of(all, s);
            }
        };
    }

    private static int check(int i, int n) {
        if (i < 0 || i >= n) {
            throw new IndexOutOfBoundsException("image " + i + " of " + n);
        }
        return i;
    }
}

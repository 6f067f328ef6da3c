package dev.neurolens.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Zalando): 28x28 gray clothing pictures in 10 classes, 60000 for training and 10000 for
 * testing, read from the IDX files of a folder (default {@code /usr/share/datasets/fashion-mnist}, Debian's
 * {@code dataset-fashion-mnist}). Immutable.
 */
public final class FashionMnist {
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final List<String> LABELS = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    public static final int SIZE = 28;

    private final byte[] images;
    private final byte[] labels;
    private final int count;

    private FashionMnist(Idx images, Idx labels) throws IOException {
        int[] s = images.shape();
        if (s.length != 3 || s[1] != SIZE || s[2] != SIZE) {
            throw new IOException("expected images [n, 28, 28], got " + java.util.Arrays.toString(s));
        }
        if (labels.count() != images.count()) {
            throw new IOException(images.count() + " images but " + labels.count() + " labels");
        }
        this.images = images.bytes();
        this.labels = labels.bytes();
        this.count = images.count();
    }

    /** The training split from {@code dir}. */
    public static FashionMnist train(Path dir) throws IOException {
        return load(dir, "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
    }

    /** The test split from {@code dir}. */
    public static FashionMnist test(Path dir) throws IOException {
        return load(dir, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
    }

    public static FashionMnist train() throws IOException {
        return train(DEFAULT_DIR);
    }

    public static FashionMnist test() throws IOException {
        return test(DEFAULT_DIR);
    }

    /** Any pair of IDX files: images [n, 28, 28] and labels [n]. */
    public static FashionMnist of(Path imagesFile, Path labelsFile) throws IOException {
        return new FashionMnist(Idx.read(imagesFile), Idx.read(labelsFile));
    }

    private static FashionMnist load(Path dir, String images, String labels) throws IOException {
        return of(find(dir, images), find(dir, labels));
    }

    private static Path find(Path dir, String base) throws IOException {
        for (String suffix : new String[] {".gz", ""}) {
            Path p = dir.resolve(base + suffix);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IOException(base + "(.gz) not found in " + dir.toAbsolutePath()
                + "; install Debian's dataset-fashion-mnist or pass the folder holding the IDX files");
    }

    public int size() {
        return count;
    }

    public int label(int i) {
        return labels[i] & 0xff;
    }

    /** Pixel {@code (y, x)} of image {@code i}, 0..255 (0 = background). */
    public int pixel(int i, int y, int x) {
        return images[i * SIZE * SIZE + y * SIZE + x] & 0xff;
    }

    /** Image {@code i} scaled to [0, 1], row-major 28x28. */
    public float[] pixels(int i) {
        float[] out = new float[SIZE * SIZE];
        int base = i * SIZE * SIZE;
        for (int k = 0; k < out.length; k++) {
            out[k] = (images[base + k] & 0xff) / 255f;
        }
        return out;
    }

    public BufferedImage image(int i) {
        BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, SIZE, SIZE,
                java.util.Arrays.copyOfRange(images, i * SIZE * SIZE, (i + 1) * SIZE * SIZE));
        return img;
    }

    public String labelName(int i) {
        return LABELS.get(label(i));
    }
}

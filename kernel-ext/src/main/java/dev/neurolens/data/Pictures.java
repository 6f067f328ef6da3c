package dev.neurolens.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;

import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * Reads a picture file as 8-bit RGB, or fails with one clear error naming the file. {@code ImageIO.read} returns
 * null for a file it cannot decode, decodes a truncated JPEG without a word (grey bottom rows), and gives CMYK
 * JPEGs wrong colours; here those are errors or converted as PIL converts them. 16-bit and grey pictures and
 * palettes become RGB.
 */
public final class Pictures {
    private Pictures() {
    }

    public static BufferedImage read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no picture at " + file.toAbsolutePath() + ": the file does not exist");
        }
        byte[] first;
        try (InputStream in = Files.newInputStream(file)) {
            first = in.readNBytes(16);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " cannot be read: " + e.getMessage(), e);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            return decode(in, file.toString(), first);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * An encoded picture held in memory (a row of a Parquet file of pictures, say), decoded as {@link #read} decodes
     * files; {@code name} says which picture in messages.
     */
    public static BufferedImage decode(byte[] encoded, String name) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(encoded))) {
            return decode(in, name, java.util.Arrays.copyOf(encoded, Math.min(16, encoded.length)));
        } catch (IOException e) {
            throw new IllegalArgumentException(name + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static BufferedImage decode(ImageInputStream in, String file, byte[] first) throws IOException {
        String format = null;
        try {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new IllegalArgumentException(file + " is not a picture Java can decode (PNG, JPEG, GIF, BMP,"
                        + " WBMP); it starts with " + head(first) + ". Convert it to PNG or JPEG");
            }
            ImageReader reader = readers.next();
            format = reader.getFormatName();
            try {
                reader.setInput(in);
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage image;
                try {
                    image = reader.read(0);
                } catch (IIOException unsupported) {
                    image = null; // e.g. "Unsupported Image Type" for some CMYK JPEGs: decoded below from the raster
                }
                boolean jpeg = reader.getFormatName().equalsIgnoreCase("jpeg");
                if (jpeg && (image == null || image.getColorModel().getNumColorComponents() == 4)) {
                    image = cmyk(reader, file);
                }
                if (image == null) {
                    throw new IllegalArgumentException(file + " could not be decoded as " + reader.getFormatName()
                            + ". Convert it to an RGB PNG or JPEG");
                }
                if (!warnings.isEmpty()) {
                    throw new IllegalArgumentException(file + " is truncated or damaged: the " + reader.getFormatName()
                            + " decoder says \"" + warnings.get(0) + "\". Download or export it again");
                }
                return rgb(image);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            // the format was recognised, so a decoder failure means a damaged file (a cut JPEG: "Not a JPEG file")
            throw new IllegalArgumentException(file + (format == null ? " cannot be decoded as a picture: \""
                    : " is truncated or damaged: the " + format + " decoder says \"") + e.getMessage()
                    + "\". Download or export it again", e);
        }
    }

    /**
     * Any picture as 8-bit RGB. Grey and 16-bit pictures are scaled sample by sample: Java's own conversion treats
     * grey as linear light and brightens it (a mid grey 55 comes out 128), and PIL, the reference, does not.
     */
    public static BufferedImage rgb(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        ColorModel cm = image.getColorModel();
        int space = cm.getColorSpace().getType();
        if (cm instanceof ComponentColorModel && (space == ColorSpace.TYPE_GRAY || space == ColorSpace.TYPE_RGB)) {
            Raster raster = image.getRaster();
            int colours = cm.getNumColorComponents();
            long max = (1L << cm.getComponentSize(0)) - 1;
            int[] px = new int[raster.getNumBands()];
            for (int y = 0; y < image.getHeight(); y++) {
                for (int x = 0; x < image.getWidth(); x++) {
                    raster.getPixel(x, y, px);
                    int r = (int) ((px[0] * 255L + max / 2) / max);
                    int g = colours == 1 ? r : (int) ((px[1] * 255L + max / 2) / max);
                    int b = colours == 1 ? r : (int) ((px[2] * 255L + max / 2) / max);
                    out.setRGB(x, y, r << 16 | g << 8 | b);
                }
            }
            return out;
        }
        java.awt.Graphics2D g = out.createGraphics();
        g.drawImage(image, 0, 0, null);
        g.dispose();
        return out;
    }

    /**
     * A 4-channel JPEG (CMYK, or YCCK when Adobe's transform is 2) converted as PIL does: Adobe files store inverted
     * CMYK, and R = 255 - min(255, C + K) (likewise G, B).
     */
    private static BufferedImage cmyk(ImageReader reader, String file) throws IOException {
        Raster raster = reader.readRaster(0, null);
        if (raster.getNumBands() != 4) {
            throw new IllegalArgumentException(file + " uses a colour model Java cannot convert ("
                    + raster.getNumBands() + " channels). Convert it to RGB PNG or JPEG");
        }
        int transform = adobeTransform(reader.getImageMetadata(0));
        int w = raster.getWidth();
        int h = raster.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] px = new int[4];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.getPixel(x, y, px);
                if (transform == 2) { // YCC of the inverted CMY: back to inverted CMY first
                    double yy = px[0];
                    double cb = px[1] - 128.0;
                    double cr = px[2] - 128.0;
                    px[0] = clamp(yy + 1.402 * cr);
                    px[1] = clamp(yy - 0.344136 * cb - 0.714136 * cr);
                    px[2] = clamp(yy + 1.772 * cb);
                }
                boolean inverted = transform >= 0; // an Adobe marker means inverted CMYK
                int c = inverted ? 255 - px[0] : px[0];
                int m = inverted ? 255 - px[1] : px[1];
                int yel = inverted ? 255 - px[2] : px[2];
                int k = inverted ? 255 - px[3] : px[3];
                int r = 255 - Math.min(255, c + k);
                int g = 255 - Math.min(255, m + k);
                int b = 255 - Math.min(255, yel + k);
                out.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return out;
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    /** The transform of the JPEG's Adobe APP14 marker (0 CMYK, 1 YCC, 2 YCCK), or -1 without one. */
    private static int adobeTransform(IIOMetadata meta) {
        if (meta == null) {
            return -1;
        }
        try {
            Node root = meta.getAsTree("javax_imageio_jpeg_image_1.0");
            Node found = find(root, "app14Adobe");
            if (found == null) {
                return -1;
            }
            NamedNodeMap attrs = found.getAttributes();
            Node t = attrs.getNamedItem("transform");
            return t == null ? 0 : Integer.parseInt(t.getNodeValue());
        } catch (IllegalArgumentException notJpeg) {
            return -1;
        }
    }

    private static Node find(Node n, String name) {
        if (name.equals(n.getNodeName())) {
            return n;
        }
        for (Node c = n.getFirstChild(); c != null; c = c.getNextSibling()) {
            Node f = find(c, name);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    private static String head(byte[] b) {
        if (b.length == 0) {
            return "(none: the file is empty)";
        }
        boolean text = true;
        for (byte c : b) {
            text &= c >= 32 && c < 127 || c == '\n' || c == '\r' || c == '\t';
        }
        // a text file (an HTML error page saved as .jpg, a Git LFS pointer) is recognised by its words
        if (text) {
            return "the text '" + new String(b, java.nio.charset.StandardCharsets.US_ASCII).replaceAll("\\s+", " ")
                    + "…'";
        }
        return "bytes " + HexFormat.ofDelimiter(" ").formatHex(b, 0, Math.min(8, b.length));
    }
}

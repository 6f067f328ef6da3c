package dev.neurolens.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad and unusual picture files, against PIL (Debian's python3-pil) as the oracle: PIL writes a CMYK JPEG, 16-bit
 * and grey PNGs, and its own RGB conversion of each; Java must decode the same colours or fail with one clear error
 * naming the file.
 */
class PicturesTest {
    @TempDir
    static Path dir;

    private static final String MAKE = String.join("\n",
            "import sys, struct, zlib, numpy as np",
            "from PIL import Image",
            "d = sys.argv[1]",
            "rng = np.random.default_rng(0)",
            "rgb = Image.fromarray(rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)).resize((64, 48))",
            "rgb.convert('CMYK').save(d + '/cmyk.jpg', quality=95)",
            "Image.open(d + '/cmyk.jpg').convert('RGB').tobytes() and open(d + '/cmyk.rgb', 'wb').write(",
            "    Image.open(d + '/cmyk.jpg').convert('RGB').tobytes())",
            "g = rng.integers(0, 256, (48, 64), dtype=np.uint8)",
            "Image.fromarray(g, 'L').save(d + '/gray8.png')",
            "open(d + '/gray8.rgb', 'wb').write(Image.open(d + '/gray8.png').convert('RGB').tobytes())",
            "def png16(path, a, colour):",
            "    h, w = a.shape[:2]",
            "    raw = b''.join(b'\\x00' + a[y].reshape(-1).astype('>u2').tobytes() for y in range(h))",
            "    chunk = lambda t, b: struct.pack('>I', len(b)) + t + b + struct.pack('>I', zlib.crc32(t + b))",
            "    ihdr = struct.pack('>IIBBBBB', w, h, 16, colour, 0, 0, 0)",
            "    open(path, 'wb').write(b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(raw))",
            "                          + chunk(b'IEND', b''))",
            "a = rng.integers(0, 65536, (48, 64, 3)).astype(np.uint16)",
            "png16(d + '/rgb16.png', a, 2)",
            "open(d + '/rgb16.rgb', 'wb').write(np.round(a.astype(float) * 255 / 65535).astype(np.uint8).tobytes())",
            "b = rng.integers(0, 65536, (48, 64)).astype(np.uint16)",
            "png16(d + '/gray16.png', b, 0)",
            "open(d + '/gray16.rgb', 'wb').write(np.repeat(np.round(b.astype(float) * 255 / 65535).astype(np.uint8)[..., None], 3, 2).tobytes())",
            "jpg = open(d + '/cmyk.jpg', 'rb').read()",
            "rgb.save(d + '/whole.jpg', quality=95)",
            "whole = open(d + '/whole.jpg', 'rb').read()",
            "open(d + '/truncated.jpg', 'wb').write(whole[: len(whole) * 2 // 3])",
            "open(d + '/text.jpg', 'w').write('this is not a picture\\n')",
            "open(d + '/empty.png', 'wb').close()");

    @BeforeAll
    static void makeFilesWithPil() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", MAKE, dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "python3 with PIL and numpy (Debian python3-pil) made the files: " + out);
    }

    /** Largest per-channel difference from PIL's RGB bytes. */
    private static int maxDifference(BufferedImage img, Path pilRgb) throws IOException {
        byte[] want = Files.readAllBytes(pilRgb);
        assertEquals(want.length, img.getWidth() * img.getHeight() * 3);
        int worst = 0;
        for (int y = 0, i = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++, i += 3) {
                int rgb = img.getRGB(x, y);
                worst = Math.max(worst, Math.abs((rgb >> 16 & 255) - (want[i] & 255)));
                worst = Math.max(worst, Math.abs((rgb >> 8 & 255) - (want[i + 1] & 255)));
                worst = Math.max(worst, Math.abs((rgb & 255) - (want[i + 2] & 255)));
            }
        }
        return worst;
    }

    @Test
    void coloursMatchPil() throws IOException {
        // JPEG decoders may differ by a unit or two in their IDCT; the PNGs are exact up to rounding
        Map<String, Integer> tolerance = Map.of("cmyk.jpg", 3, "gray8.png", 0, "rgb16.png", 1, "gray16.png", 1);
        for (var e : tolerance.entrySet()) {
            BufferedImage img = Pictures.read(dir.resolve(e.getKey()));
            assertEquals(BufferedImage.TYPE_INT_RGB, img.getType(), e.getKey());
            int diff = maxDifference(img, dir.resolve(e.getKey().replaceAll("\\.(png|jpg)$", ".rgb")));
            assertTrue(diff <= e.getValue(), e.getKey() + " differs from PIL by " + diff);
        }
    }

    @Test
    void badFilesAreOneClearErrorNamingTheFile() {
        Map<String, String> cases = Map.of(
                "truncated.jpg", "is truncated or damaged",
                "text.jpg", "is not a picture Java can decode",
                "empty.png", "the file is empty",
                "missing.png", "the file does not exist");
        for (var c : cases.entrySet()) {
            Path file = dir.resolve(c.getKey());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pictures.read(file),
                    c.getKey());
            assertTrue(e.getMessage().contains(c.getValue()) && e.getMessage().contains(c.getKey()),
                    c.getKey() + ": " + e.getMessage());
        }
    }
}

package dev.neurolens.homework;

import dev.neurolens.data.Samples;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.Preprocessing;
import dev.neurolens.model.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The homeworks grade on real pictures: the committed samples, never noise standing in for a missing file; where a
 * data set is missing, one printed line says what is used instead.
 */
class HomeworkInputsTest {

    @Test
    void styleHomeworkUsesTheSampleCatAndStarryNight() {
        StyleTransferHomework.Setup s = StyleTransferHomework.setup();
        Preprocessing p = StyleTransferHomework.model().preprocessing();
        // Oracle: the mean colour of the sample's centre square, averaged by hand from the file's pixels. A resize
        // keeps the mean (up to rounding); noise standing in for the picture would not match it.
        for (var c : new Object[][] {{StyleTransferHomework.CONTENT_SAMPLE, s.content()},
                {StyleTransferHomework.STYLE_SAMPLE, s.style()}}) {
            double[] expected = centreMeanRgb(Samples.image((String) c[0]));
            double[] actual = meanRgb(p.toImage((Tensor) c[1]));
            for (int k = 0; k < 3; k++) {
                assertEquals(expected[k], actual[k], 0.03, c[0] + " channel " + k);
            }
        }
        // and they are the pictures they claim to be: The Starry Night is mostly blue, the cat is not
        double[] starry = meanRgb(p.toImage(s.style()));
        double[] cat = meanRgb(p.toImage(s.content()));
        assertTrue(starry[2] > starry[0] + 0.1, "Starry Night should be blue: " + java.util.Arrays.toString(starry));
        assertTrue(cat[2] < cat[0], "the cat is brown-grey, not blue: " + java.util.Arrays.toString(cat));
    }

    @Test
    void saliencyHomeworkWithoutFashionMnistSaysWhatItGradesOn(@TempDir Path empty) {
        Network model = Models.defaultModel();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        SaliencyHomework.CheckImage c = SaliencyHomework.checkImage(model, empty, new PrintStream(buf, true,
                StandardCharsets.UTF_8));
        String printed = buf.toString(StandardCharsets.UTF_8).strip();
        assertEquals(1, printed.lines().count(), "one line, got: " + printed);
        assertTrue(printed.contains("Fashion-MNIST is not installed") && printed.contains("not found in "
                + empty.toAbsolutePath()) && printed.contains("'" + SaliencyHomework.FALLBACK_SAMPLE + "'"), printed);
        // graded on the sample as the model sees it, with the class the model predicts for it
        BufferedImage sample = Samples.image(SaliencyHomework.FALLBACK_SAMPLE);
        Tensor expected = model.preprocessing().toTensor(sample);
        assertEquals(0.0, c.image().relativeError(expected), 1e-6);
        int predicted = model.predict(sample, 1).best().index();
        assertEquals(predicted, c.label());
        assertTrue(printed.contains(model.info().labels().get(predicted) + " (" + predicted + ")"), printed);
    }

    private static double[] centreMeanRgb(BufferedImage img) {
        int side = Math.min(img.getWidth(), img.getHeight());
        return meanRgb(img.getSubimage((img.getWidth() - side) / 2, (img.getHeight() - side) / 2, side, side));
    }

    private static double[] meanRgb(BufferedImage img) {
        double[] m = new double[3];
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                m[0] += (rgb >> 16 & 0xff) / 255.0;
                m[1] += (rgb >> 8 & 0xff) / 255.0;
                m[2] += (rgb & 0xff) / 255.0;
            }
        }
        int n = img.getWidth() * img.getHeight();
        for (int k = 0; k < 3; k++) {
            m[k] /= n;
        }
        return m;
    }
}

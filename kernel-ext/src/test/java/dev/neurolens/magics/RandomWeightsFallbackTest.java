package dev.neurolens.magics;

import dev.neurolens.model.Models;
import dev.neurolens.model.WeightsException;
import dev.neurolens.optimize.RenderResult;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * %style and %dream ask for trained ImageNet weights by default; without them %dream runs on random weights, %style on
 * the random multi-scale texture features, and both say so twice: one printed line, and the figure's title. Trained
 * networks are never labelled random.
 */
class RandomWeightsFallbackTest {

    private record Run(RenderResult result, List<String> notices) {
    }

    /** Runs with stdout captured, keeping the lines that announce a stand-in. */
    private static Run capture(Callable<RenderResult> body) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        RenderResult r;
        try {
            r = body.call();
        } finally {
            System.setOut(old);
        }
        List<String> notices = buf.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.startsWith("Neurolens: %")).toList();
        return new Run(r, notices);
    }

    private static boolean pretrainedHere(String name) {
        try (var n = Models.model(name)) {
            return true;
        } catch (WeightsException e) {
            return false;
        }
    }

    @Test
    void defaultsAskForTrainedWeights() {
        StyleMagic style = new StyleMagic();
        DreamMagic dream = new DreamMagic();
        assertEquals("vgg16", style.schema().parse("chelsea starry_night").string("model"));
        assertEquals("squeezenet1_1", dream.schema().parse("chelsea --layer fire5").string("model"));
    }

    @Test
    void dreamWithoutWeightsSaysRandomWeightsInALineAndTheTitle() throws Exception {
        DreamMagic m = new DreamMagic();
        Run run = capture(() -> m.render(m.schema().parse("chelsea --layer fire3 --size 48 --octaves 1 --steps 1")));
        if (pretrainedHere("squeezenet1_1")) {
            assertFalse(run.result().title().contains("random weights"), run.result().title());
            assertTrue(run.notices().isEmpty(), run.notices().toString());
        } else {
            assertEquals(1, run.notices().size(), run.notices().toString());
            String line = run.notices().get(0);
            assertTrue(line.startsWith("Neurolens: %dream uses squeezenet1_1 with random weights")
                    && line.contains("NEUROLENS_WEIGHTS"), line);
            assertEquals("DeepDream fire3 · squeezenet1_1 (random weights)", run.result().title());
            // said again on the next run, not only the first
            Run again = capture(() -> m.render(m.schema().parse("chelsea --layer fire3 --size 48 --octaves 1 --steps 1")));
            assertEquals(1, again.notices().size(), again.notices().toString());
        }
    }

    @Test
    void styleWithoutWeightsSaysWhatItUsesInALineAndTheTitle() throws Exception {
        StyleMagic m = new StyleMagic();
        Run run = capture(() -> m.render(m.schema().parse(
                "chelsea starry_night --model squeezenet1_1 --size 32 --steps 1")));
        String title = run.result().title();
        if (pretrainedHere("squeezenet1_1")) {
            assertFalse(title.contains("random weights"), title);
        } else {
            assertEquals(1, run.notices().size(), run.notices().toString());
            // without the asked-for weights, style uses the texture features, which need none, and says so
            assertTrue(run.notices().get(0).startsWith("Neurolens: %style uses random multi-scale texture features")
                    && run.notices().get(0).contains("instead of squeezenet1_1")
                    && run.notices().get(0).contains("NEUROLENS_WEIGHTS"), run.notices().get(0));
            assertTrue(title.startsWith("style transfer · random_multiscale (random weights) · "), title);
        }
        // random weights asked for by name: the title still says so, and nothing needs announcing
        Run chosen = capture(() -> m.render(m.schema().parse(
                "chelsea starry_night --model random:squeezenet1_1 --size 32 --steps 1")));
        assertTrue(chosen.result().title().contains("squeezenet1_1 (random weights)"), chosen.result().title());
        assertTrue(chosen.notices().isEmpty(), chosen.notices().toString());
    }

    @Test
    void trainedNetworksAreNotLabelledRandom() throws Exception {
        DreamMagic m = new DreamMagic();
        Run run = capture(() -> m.render(m.schema().parse("chelsea --layer relu2 --model default --size 28 --octaves 1 --steps 1")));
        assertEquals("DeepDream relu2 · fashion_cnn", run.result().title());
        assertTrue(run.notices().isEmpty(), run.notices().toString());
    }

    @Test
    void unknownPicturesListTheSamples() {
        MagicArgumentException e = assertThrows(MagicArgumentException.class, () -> MagicInputs.picture("no_such_picture.png"));
        assertTrue(e.getMessage().startsWith("no picture 'no_such_picture.png': not a file and not a sample (chelsea, "),
                e.getMessage());
    }
}

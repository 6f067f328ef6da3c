package dev.neurolens.magics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class ArgSchemaTest {
    private static final ArgSchema SALIENCY = ArgSchema.builder("saliency", "show a saliency map")
            .positional("model", ArgSchema.Type.STRING, "model name")
            .optionalPositional("image", ArgSchema.Type.STRING, "cat.jpg", "image path")
            .option("method", ArgSchema.Type.STRING, "vanilla", "attribution method")
            .option("steps", ArgSchema.Type.INT, 50, "integration steps")
            .option("alpha", ArgSchema.Type.DOUBLE, 0.5, "overlay opacity")
            .option("units", ArgSchema.Type.INT_LIST, List.of(), "units")
            .flag("colorbar", "draw a colorbar")
            .build();

    @Test
    void parsesPositionalsOptionsFlagsAndDefaults() {
        Args a = SALIENCY.parse("squeezenet1_1 --method gradcam --steps=12 --colorbar --units 1,2,3");
        assertEquals("squeezenet1_1", a.string("model"));
        assertEquals("cat.jpg", a.string("image"));
        assertEquals("gradcam", a.string("method"));
        assertEquals(12, a.integer("steps"));
        assertEquals(0.5, a.number("alpha"));
        assertTrue(a.flag("colorbar"));
        assertEquals(List.of(1, 2, 3), a.integers("units"));
        assertFalse(a.helpRequested());
    }

    @Test
    void quotedValuesAndNegativeNumbers() {
        Args a = SALIENCY.parse("vgg16 \"my photos/dog 1.jpg\" --alpha -0.25");
        assertEquals("my photos/dog 1.jpg", a.string("image"));
        assertEquals(-0.25, a.number("alpha"));
    }

    @Test
    void countsRejectNegativesSeedsDoNot() {
        ArgSchema s = ArgSchema.builder("tsne", "a map").option("n", ArgSchema.Type.INT, 0, "pictures")
                .option("seed", ArgSchema.Type.INT, 1, "seed").option("channel", ArgSchema.Type.INT, -1, "none")
                .build();
        assertEquals("%tsne: option --n must be 0 or more, got -5 (see %tsne --help)",
                assertThrows(MagicArgumentException.class, () -> s.parse("--n -5")).getMessage());
        assertEquals(-7, s.parse("--seed -7").integer("seed"));
        assertEquals(-1, s.parse("--channel -1").integer("channel"));
        assertEquals(0, s.parse("--n 0").integer("n"));
    }

    @Test
    void unknownOptionSuggestsTheClosestAndPointsToHelp() {
        MagicArgumentException e = assertThrows(MagicArgumentException.class, () -> SALIENCY.parse("m --methd x"));
        assertEquals("%saliency: unknown option --methd (did you mean --method?); options: --method, --steps, --alpha,"
                + " --units, --colorbar (see %saliency --help)", e.getMessage());
    }

    @Test
    void missingValueWrongTypeMissingPositionalAndExtraArgument() {
        assertEquals("%saliency: option --steps needs a value (an integer) (see %saliency --help)",
                assertThrows(MagicArgumentException.class, () -> SALIENCY.parse("m --steps")).getMessage());
        assertEquals("%saliency: option --steps expects an integer, got 'ten' (see %saliency --help)",
                assertThrows(MagicArgumentException.class, () -> SALIENCY.parse("m --steps ten")).getMessage());
        assertEquals("%saliency: missing argument <model> (model name) (see %saliency --help)",
                assertThrows(MagicArgumentException.class, () -> SALIENCY.parse("--colorbar")).getMessage());
        assertTrue(assertThrows(MagicArgumentException.class, () -> SALIENCY.parse("a b c")).getMessage()
                .startsWith("%saliency: unexpected argument 'c'; expected at most 2"));
        assertEquals("%saliency: --colorbar is a flag and takes no value (see %saliency --help)",
                assertThrows(MagicArgumentException.class, () -> SALIENCY.parse("m --colorbar=yes")).getMessage());
    }

    @Test
    void helpWinsEvenWithOtherwiseBadArguments() {
        Args a = SALIENCY.parse("--bogus --help");
        assertTrue(a.helpRequested());
        String help = SALIENCY.helpText();
        assertTrue(help.startsWith("%saliency <model> [image] [options]\n    show a saliency map"));
        assertTrue(help.contains("--steps N"));
        assertTrue(help.contains("(default: 50)"));
        assertTrue(help.contains("--help"));
    }

    @Test
    void unclosedQuoteIsAClearError() {
        assertTrue(assertThrows(MagicArgumentException.class, () -> SALIENCY.parse("m \"open"))
                .getMessage().contains("unclosed \" quote"));
    }

    @Test
    void registryRoutesHelpAndRejectsWrongForm() throws Exception {
        MagicRegistry.register(new NeurolensMagic());
        Object help = MagicRegistry.runLine("neurolens", "--help");
        assertTrue(help instanceof MagicHelp && help.toString().startsWith("%neurolens"));
        assertTrue(assertThrows(MagicArgumentException.class, () -> MagicRegistry.runCell("neurolens", "", "x"))
                .getMessage().contains("is a line magic"));
        assertTrue(assertThrows(MagicArgumentException.class, () -> MagicRegistry.runLine("neurolen", ""))
                .getMessage().contains("did you mean %neurolens"));
    }
}

package dev.neurolens.magics;

import dev.neurolens.features.Filters;
import dev.neurolens.model.Models;
import dev.neurolens.model.Network;
import dev.neurolens.model.Tensor;
import dev.neurolens.model.WeightsFiles;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One syntax for the model every magic takes: names, old spellings, --random, files and notebook variables. */
class MagicInputsTest {
    private static final List<Magic> MODEL_MAGICS = List.of(new SaliencyMagic(), new ClassVizMagic(), new DreamMagic(),
            new StyleMagic(), new FiltersMagic(), new ActivationsMagic(), new NeighborsMagic(), new PatchesMagic(),
            new TsneMagic());

    @TempDir
    static Path dir;
    static Network builtin;

    @BeforeAll
    static void open() {
        builtin = Models.defaultModel();
    }

    @AfterAll
    static void close() {
        builtin.close();
    }

    @AfterEach
    void noVariables() {
        MagicRegistry.readVariablesWith(null);
    }

    private static Network filtersModel(String line) {
        return MagicInputs.network(new FiltersMagic().schema().parse("conv1 " + line));
    }

    private static MagicArgumentException refused(String line) {
        return assertThrows(MagicArgumentException.class, () -> filtersModel(line));
    }

    @Test
    void everyMagicSharesOneHelpForModelAndRandom() {
        for (Magic m : MODEL_MAGICS) {
            ArgSchema.Spec model = m.schema().options().get("model");
            assertEquals(MagicInputs.modelHelp(), model.help(), m.name());
            assertTrue(m.schema().options().get("random").flag(), m.name());
            assertTrue(m.schema().helpText().contains("a notebook variable holding a Network"), m.name());
        }
    }

    @Test
    void oldAndNewSpellingsMeanTheSameCachedNetwork() {
        Network trained = filtersModel("");
        assertSame(trained, filtersModel("--model default"));
        assertSame(trained, filtersModel("--model fashion_cnn"));
        assertFalse(trained.randomWeights());
        Network random = filtersModel("--random");
        assertTrue(random.randomWeights());
        assertSame(random, filtersModel("--model random:fashion_cnn"));
        assertSame(random, filtersModel("--model fashion_cnn --random"));
        assertSame(random, filtersModel("--model random:default"));
        // one cache across magics: %saliency gets the object %filters loaded
        assertSame(trained, MagicInputs.model(new SaliencyMagic().schema().parse("fashion:0 --model fashion_cnn")));
    }

    @Test
    void aWeightsFileNamedAfterItsArchitectureLoads() throws Exception {
        Path file = dir.resolve("fashion_cnn-mine.safetensors");
        WeightsFiles.saveSafetensors(builtin.parameters(), file);
        Network loaded = filtersModel("--model " + file);
        assertEquals("fashion_cnn", loaded.name());
        Tensor x = builtin.preprocessing().toTensor(dev.neurolens.data.FashionMnist.test().image(0));
        assertArrayEquals(builtin.logits(x).toFloatArray(), loaded.logits(x).toFloatArray(), 0f);
        assertSame(loaded, filtersModel("--model " + file));
        assertTrue(filtersModel("--model " + file + " --random").randomWeights());

        Path unnamed = Files.copy(file, dir.resolve("mine.pth"));
        MagicArgumentException e = refused("--model " + unnamed);
        assertTrue(e.getMessage().startsWith("%filters: cannot tell the architecture of mine.pth: name the file after "
                + "it (one of squeezenet1_1, "), e.getMessage());
        assertTrue(e.getMessage().contains("var net = Models.load(\"vgg16\", Path.of(\"" + unnamed + "\")), and use "
                + "--model net"), e.getMessage());
        assertTrue(refused("--model " + dir.resolve("gone.pth")).getMessage().startsWith("%filters: no model file "));
        Path onnx = Files.writeString(dir.resolve("m.onnx"), "x");
        assertEquals("%filters: m.onnx is not a model file Neurolens reads; use .pth or .safetensors (weights) or .pt "
                + "(TorchScript)", refused("--model " + onnx).getMessage());
    }

    @Test
    void aNotebookVariableIsReadEachTime() throws Exception {
        Network mine = Models.random("fashion_cnn", 7);
        try {
            Object[] value = {mine};
            MagicRegistry.readVariablesWith(name -> switch (name) {
                case "net" -> Optional.ofNullable(value[0]);
                case "text" -> Optional.of("not a model");
                default -> Optional.empty();
            });
            assertSame(mine, filtersModel("--model net"));
            FiltersMagic filters = new FiltersMagic();
            assertInstanceOf(Filters.class, filters.run(filters.schema().parse("conv1 --model net --count 2"), null));
            value[0] = builtin; // a later cell assigns the variable again
            assertSame(builtin, filtersModel("--model net"));
            assertSame(filtersModel("--random"), filtersModel("--model net --random"));
            assertEquals("%filters: --model text is a String, not a Network; e.g. var text = Models.model(\"vgg16\");",
                    refused("--model text").getMessage());
            assertEquals("%filters: --model 'nope' is not a model name (squeezenet1_1, alexnet, vgg16, vgg19, "
                    + "resnet18, default, robust), a model file (.pth, .safetensors, .pt) or a notebook variable; see --help",
                    refused("--model nope").getMessage());
        } finally {
            mine.close();
        }
    }

    @Test
    void everyMagicLineOfTheNotebooksParses() throws Exception {
        dev.neurolens.Neurolens.install();
        List<Path> notebooks;
        try (var files = Files.walk(Path.of("..", "notebooks"))) {
            notebooks = files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
        }
        assertFalse(notebooks.isEmpty());
        int lines = 0;
        for (Path nb : notebooks) {
            for (var cell : new JsonParser().parse(Files.readString(nb)).getAsJsonObject().getAsJsonArray("cells")) {
                if (!cell.getAsJsonObject().get("cell_type").getAsString().equals("code")) {
                    continue;
                }
                StringBuilder source = new StringBuilder();
                cell.getAsJsonObject().getAsJsonArray("source").forEach(l -> source.append(l.getAsString()));
                for (String line : source.toString().split("\n")) {
                    var m = java.util.regex.Pattern.compile("^\\s*%%?([A-Za-z_][\\w.-]*)(.*)$").matcher(line);
                    // %jars and %spark belong to the kernel (they change its classpath), not to the registry
                    if (m.matches() && !List.of("jars", "spark").contains(m.group(1))) {
                        String where = nb.getFileName() + ": " + line;
                        // parsing only: loading the named networks (VGG16, AlexNet) is for the notebook runs
                        Args args = MagicRegistry.get(m.group(1)).schema().parse(m.group(2).trim());
                        assertFalse(args.helpRequested(), where);
                        lines++;
                    }
                }
            }
        }
        assertTrue(lines >= 20, lines + " magic lines");
    }

    @Test
    void picturesByFashionIndexSampleOrFile() {
        assertEquals(28, MagicInputs.picture("fashion:0").getWidth());
        assertEquals("Fashion-MNIST test index 10000 out of range 0..9999",
                assertThrows(MagicArgumentException.class, () -> MagicInputs.picture("fashion:10000")).getMessage());
        assertTrue(MagicInputs.picture("chelsea").getWidth() > 28);
    }

    @Test
    void withoutTheKernelAVariableNameSaysWhy() {
        assertTrue(refused("--model net").getMessage().endsWith(
                "(notebook variables are read in the Neurolens kernel only)"), refused("--model net").getMessage());
        assertTrue(refused("--model vgg-16").getMessage().startsWith("%filters: --model 'vgg-16' is not a model name"));
    }
}

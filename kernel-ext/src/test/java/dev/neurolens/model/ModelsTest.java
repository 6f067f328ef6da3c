package dev.neurolens.model;

import dev.neurolens.data.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelsTest {

    @Test
    void imagenetNamesAreEmbeddedAndAreTorchvisionsOwn() throws Exception {
        List<String> embedded = ImageNetClasses.embedded();
        assertEquals(1000, embedded.size());
        assertEquals(1000, new java.util.HashSet<>(embedded).size(), "class names must be distinct");
        assertEquals("tench", embedded.get(0));
        assertEquals("tabby", embedded.get(281));
        assertEquals("crane bird", embedded.get(134));
        assertEquals(embedded, ImageNetClasses.names());
        assertEquals(embedded, Architecture.of("resnet18").info().labels());
        // Oracle 1: torchvision's list itself, where python torchvision is installed.
        String why = TorchOracle.unavailableReason();
        if (why == null) {
            Process p = new ProcessBuilder(TorchOracle.PYTHON, "-c",
                    "from torchvision.models._meta import _IMAGENET_CATEGORIES as c; print('\\n'.join(c))")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            assertEquals(List.of(out.strip().split("\n")), embedded);
        }
        // Oracle 2: the Keras-style class index in the optional shared folder, with '_' for ' ' and two
        // ambiguous names that torchvision disambiguates.
        var json = SharedData.file("imagenet_class_index.json");
        if (json.isPresent()) {
            List<String> keras = ImageNetClasses.fromJson(json.get());
            for (int i = 0; i < 1000; i++) {
                String k = keras.get(i).replace('_', ' ');
                String e = embedded.get(i);
                assertTrue(e.equals(k) || (i == 134 && e.equals("crane bird")) || (i == 639 && e.equals("maillot tank suit")),
                        "class " + i + ": '" + e + "' vs the shared index's '" + keras.get(i) + "'");
            }
        }
    }

    @Test
    void devicesDescribeThemselves() {
        String d = Devices.describe();
        assertTrue(d.contains("libtorch 2.7.1") && d.contains("threads"), d);
        assertTrue(d.contains(Devices.current().toString()), d);
        if (Devices.gpuCount() == 0) {
            assertEquals(ai.djl.Device.cpu(), Devices.current());
        }
    }

    @Test
    void unknownNamesAreExplained() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Models.model("vgg17")).getMessage()
                .contains("vgg16"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Architecture.of("resnet50")).getMessage()
                .contains("resnet18"));
    }

    @Test
    void summaryListsLayersWithAliasesAndFields() {
        try (Network net = Models.random("squeezenet1_1", 1)) {
            String s = net.summary();
            assertTrue(s.contains("features.11") && s.contains("fire8") && s.contains("Fire(384"), s);
        }
    }
}

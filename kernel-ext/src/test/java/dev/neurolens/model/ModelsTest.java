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
    void imagenetNamesAreEmbeddedAndMatchTheSharedJson() throws IOException {
        List<String> embedded = ImageNetClasses.embedded();
        assertEquals(1000, embedded.size());
        assertEquals("tench", embedded.get(0));
        assertEquals("tabby", embedded.get(281));
        var json = SharedData.file("imagenet_class_index.json");
        if (json.isPresent()) {
            assertEquals(ImageNetClasses.fromJson(json.get()), embedded);
        }
        assertEquals(embedded, ImageNetClasses.names());
        assertEquals(embedded, Architecture.of("resnet18").info().labels());
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

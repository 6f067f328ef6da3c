package dev.neurolens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

class LayerTableTest {
    @Test
    void squeezeNetRowsMatchTheArchitectureByHand() {
        try (Network net = Models.random("squeezenet1_1", 0)) {
            Table t = LayerTable.of(net, 224);
            Row conv1 = row(t, "features.0");
            // Conv2d(3, 64, k=3, s=2): 64*3*3*3 + 64 = 1792 parameters; (224 - 3) / 2 + 1 = 111
            assertEquals("conv1", conv1.getString("alias"));
            assertEquals("64×111×111", conv1.getString("output (C×H×W)"));
            assertEquals(1792L, conv1.getLong("parameters"));
            assertEquals(3, conv1.getInt("RF size"));
            assertEquals(2, conv1.getInt("RF stride"));
            Row fire2 = row(t, "features.3");
            // squeeze 64->16 (1040) + expand1x1 16->64 (1088) + expand3x3 16->64 (9280)
            assertEquals(1040L + 1088L + 9280L, fire2.getLong("parameters"));
            assertEquals("128×55×55", fire2.getString("output (C×H×W)"));
        }
    }

    private static Row row(Table t, String layer) {
        for (Row r : t) {
            if (r.getString("layer").equals(layer)) {
                return r;
            }
        }
        throw new AssertionError("no row " + layer);
    }
}

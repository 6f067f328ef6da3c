package dev.neurolens.model;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The layers of a network as a table: name, alias, what it is, output shape for a given input size (from one
 * pass on a blank image), parameter count and receptive field (size, stride, offset of unit 0).
 */
public final class LayerTable {
    private LayerTable() {
    }

    public static Table of(Network net) {
        return of(net, net.info().crop());
    }

    public static Table of(Network net, int inputSize) {
        Map<String, String> aliasOf = new LinkedHashMap<>();
        net.aliases().forEach((alias, name) -> aliasOf.merge(name, alias, (a, b) -> a + ", " + b));
        String[] names = net.layerNames().toArray(String[]::new);
        Activations acts = net.run(Tensor.zeros(1, net.info().channels(), inputSize, inputSize), names);

        StringColumn name = StringColumn.create("layer");
        StringColumn alias = StringColumn.create("alias");
        StringColumn what = StringColumn.create("type");
        StringColumn shape = StringColumn.create("output (C×H×W)");
        LongColumn params = LongColumn.create("parameters");
        IntColumn rfSize = IntColumn.create("RF size");
        IntColumn rfStride = IntColumn.create("RF stride");
        IntColumn rfOffset = IntColumn.create("RF offset");
        for (String n : names) {
            Layer layer = net.layer(n);
            name.append(n);
            alias.append(aliasOf.getOrDefault(n, ""));
            what.append(layer.describe());
            long[] s = acts.get(n).shape();
            shape.append(Arrays.stream(s, 1, s.length).mapToObj(Long::toString).collect(Collectors.joining("×")));
            params.append(layer.parameterShapes().values().stream()
                    .mapToLong(p -> Arrays.stream(p).reduce(1, (a, b) -> a * b)).sum());
            ReceptiveField rf = net.receptiveField(n);
            if (rf.global()) {
                rfSize.appendMissing();
                rfStride.appendMissing();
                rfOffset.appendMissing();
            } else {
                rfSize.append(rf.size());
                rfStride.append(rf.stride());
                rfOffset.append(rf.offset());
            }
        }
        return Table.create(net.name() + " at " + inputSize + "×" + inputSize + " (RF: receptive field in input pixels; — = whole image)")
                .addColumns(name, alias, what, shape, params, rfSize, rfStride, rfOffset);
    }
}

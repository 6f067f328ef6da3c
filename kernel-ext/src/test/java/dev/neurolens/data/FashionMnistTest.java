package dev.neurolens.data;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class FashionMnistTest {

    static void assumeDataset() {
        assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR),
                "skipping: Fashion-MNIST not found in " + FashionMnist.DEFAULT_DIR + " (Debian dataset-fashion-mnist)");
    }

    @Test
    void readsBothSplits() throws IOException {
        assumeDataset();
        FashionMnist test = FashionMnist.test();
        FashionMnist train = FashionMnist.train();
        assertEquals(10000, test.size());
        assertEquals(60000, train.size());
        // the first test pictures, as published: ankle boot, pullover, trouser, trouser, shirt
        assertArrayEquals(new int[] {9, 2, 1, 1, 6}, new int[] {test.label(0), test.label(1), test.label(2),
            test.label(3), test.label(4)});
        assertEquals("Ankle boot", test.labelName(0));
        int[] counts = new int[10];
        for (int i = 0; i < test.size(); i++) {
            counts[test.label(i)]++;
        }
        assertArrayEquals(new int[] {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, counts);
        assertEquals(test.pixel(0, 14, 14), test.image(0).getRaster().getSample(14, 14, 0));
    }

    @Test
    void idxHeaderAndErrors() throws IOException {
        byte[] file = {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, (byte) 250};
        Idx idx = Idx.read(new ByteArrayInputStream(file), "mem");
        assertArrayEquals(new int[] {2, 3}, idx.shape());
        assertEquals(250, idx.get(5));
        assertThrows(IOException.class, () -> Idx.read(new ByteArrayInputStream(new byte[] {1, 2, 8, 1}), "bad"));
        assertThrows(IOException.class, () -> Idx.read(new ByteArrayInputStream(new byte[] {0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0}), "float"));
    }
}

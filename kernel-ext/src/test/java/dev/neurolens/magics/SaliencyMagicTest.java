package dev.neurolens.magics;

import dev.neurolens.attribution.Attribution;
import dev.neurolens.data.FashionMnist;
import dev.neurolens.display.ImageGrid;
import dev.neurolens.homework.Homework;
import dev.neurolens.homework.SaliencyHomework;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** %saliency and %check through their argument schemas, as the kernel calls them. */
class SaliencyMagicTest {

    private static Object run(Magic m, String line) throws Exception {
        return m.run(m.schema().parse(line), null);
    }

    @Test
    void oneMethodGivesItsAttributionSeveralGiveAGrid() throws Exception {
        assumeTrue(fashionInstalled(), "Fashion-MNIST not installed");
        SaliencyMagic m = new SaliencyMagic();
        Object one = run(m, "fashion:0 --method grad-cam --target 9");
        Attribution a = assertInstanceOf(Attribution.class, one);
        assertEquals("Ankle boot (9)", a.target(0));
        Object grid = run(m, "fashion:1 --method gradient,ig --target Trouser");
        assertEquals(3, assertInstanceOf(ImageGrid.class, grid).size());
        MagicArgumentException e = assertThrows(MagicArgumentException.class,
                () -> run(m, "fashion:0 --method gradcamm"));
        assertTrue(e.getMessage().contains("grad-cam"), e.getMessage());
        e = assertThrows(MagicArgumentException.class, () -> run(m, "fashion:0 --target -1"));
        assertTrue(e.getMessage().contains("-1 is not a class"), e.getMessage());
        e = assertThrows(MagicArgumentException.class, () -> run(m, "no_such_picture.png"));
        assertTrue(e.getMessage().contains("fashion:INDEX"), e.getMessage());
    }

    @Test
    void checkGradesAPartOrListsTheParts() throws Exception {
        SaliencyHomework.register();
        // as the homework notebook does; %check lists the parts of the opened homeworks, and other test classes
        // in this JVM may have opened another one
        SaliencyHomework.model();
        CheckMagic m = new CheckMagic();
        assertTrue(run(m, "").toString().contains("saliency"));
        MagicArgumentException e = assertThrows(MagicArgumentException.class, () -> run(m, "salience"));
        assertTrue(e.getMessage().contains("saliency, occlusion, gradcam, smoothgrad"), e.getMessage());
        Homework.submit("gradcam", (SaliencyHomework.GradCamMap) (model, x, c, layer) -> null);
        assertTrue(run(m, "gradcam").toString().contains("not implemented yet"));
    }

    private static boolean fashionInstalled() {
        try {
            FashionMnist.test();
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}

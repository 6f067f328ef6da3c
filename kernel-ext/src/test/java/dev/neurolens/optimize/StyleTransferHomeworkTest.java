package dev.neurolens.optimize;

import ai.djl.ndarray.NDArray;
import dev.neurolens.homework.CheckResult;
import dev.neurolens.homework.Homework;
import dev.neurolens.homework.StyleTransferHomework;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The homework's checks: reference answers pass, unfinished parts say so, wrong answers fail. */
class StyleTransferHomeworkTest {

    @BeforeAll
    static void register() {
        StyleTransferHomework.register();
    }

    @Test
    void referenceAnswersPass() {
        StyleTransferHomework.contentLoss(Losses::content);
        StyleTransferHomework.gramMatrix(Losses::gram);
        StyleTransferHomework.tvLoss(Losses::tv);
        StyleTransferHomework.styleLoss((features, grams, weights) -> {
            NDArray total = null;
            for (String l : grams.keySet()) {
                NDArray t = Losses.style(features.get(l), grams.get(l)).mul(weights.get(l).floatValue());
                total = total == null ? t : total.add(t);
            }
            return total;
        });
        StyleTransferHomework.transferLoop(StyleTransferHomework::referenceTransfer);
        for (String part : new String[] {"content_loss", "gram_matrix", "style_loss", "tv_loss", "transfer"}) {
            CheckResult r = Homework.check(part);
            assertTrue(r.passed(), r.line());
        }
    }

    @Test
    void unfinishedAndWrongPartsAreReported() {
        StyleTransferHomework.gramMatrix(f -> {
            throw new UnsupportedOperationException("Gram matrix not implemented yet");
        });
        assertEquals(CheckResult.Status.NOT_IMPLEMENTED, Homework.check("gram_matrix").status());
        StyleTransferHomework.tvLoss(x -> Losses.tv(x).mul(2f));
        CheckResult wrong = Homework.check("tv_loss");
        assertEquals(CheckResult.Status.FAIL, wrong.status(), wrong.line());
    }
}

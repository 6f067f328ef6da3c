package dev.neurolens.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MagicTranslatorTest {
    @Test
    void lineMagicsKeepLineNumbersAndTheLastOneShowsItsValue() {
        String cell = "int a = 1;\n%device --help\n  %neurolens\n";
        String java = MagicTranslator.translate(cell);
        assertEquals("int a = 1;\n"
                + "dev.neurolens.kernel.Notebook.lineMagic(\"device\", \"--help\");\n"
                + "  dev.neurolens.kernel.Notebook.lineMagic(\"neurolens\", \"\")\n", java);
        assertEquals(cell.split("\n", -1).length, java.split("\n", -1).length);
    }

    @Test
    void cellMagicBecomesOneCallWithTheBodyAsALiteral() {
        String java = MagicTranslator.translate("%%html --x 1\n<b>\"hi\"</b>\n\\u0041");
        assertEquals("dev.neurolens.kernel.Notebook.cellMagic(\"html\", \"--x 1\", \"<b>\\\"hi\\\"</b>\\n\\\\u0041\")", java);
    }

    @Test
    void modulusInCodeIsNotAMagic() {
        assertEquals("int r = 7 % 3;", MagicTranslator.translate("int r = 7 % 3;"));
    }
}

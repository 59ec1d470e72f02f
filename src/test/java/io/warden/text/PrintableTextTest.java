package io.warden.text;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrintableTextTest {
    @Test
    void every_c0_and_c1_control_and_del_is_not_printable() {
        for (char c = 0; c < 0x100; c++) {
            boolean control = c < 0x20 || (c >= 0x7F && c <= 0x9F);
            assertEquals(!control, PrintableText.isPrintable("a" + c + "b"), String.format("U+%04X", (int) c));
        }
        assertTrue(PrintableText.isPrintable("caf\u00e9 \u2014 \ud83d\ude00 \u00a0"));
        assertTrue(PrintableText.isPrintable(""));
        assertTrue(PrintableText.isPrintable(null));
    }

    @Test
    void escape_writes_each_control_character_as_a_u_escape_and_leaves_the_rest() {
        assertEquals("\\u001b[2Jgone\\u0007\\u000d\\u000aforged\\u0000\\u007f\\u009b",
                PrintableText.escape("\u001b[2Jgone\u0007\r\nforged\u0000\u007f\u009b"));
        assertEquals("caf\u00e9 \u2014", PrintableText.escape("caf\u00e9 \u2014"));
        assertNull(PrintableText.escape(null));
        assertFalse(PrintableText.escape("\u001b").contains("\u001b"));
    }
}

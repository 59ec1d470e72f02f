package io.warden.metrics;

import io.warden.metrics.Exposition.Type;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Prometheus's text format as its specification writes it: HELP and TYPE first, escaping, numbers, name rules. */
class ExpositionTest {

    @Test
    void a_family_is_its_help_and_type_then_its_samples() {
        String text = new Exposition()
                .family("warden_service_ends_total", Type.COUNTER, "Ends by cause.")
                .sample(3, "service", "gateway", "cause", "crash")
                .sample(0, "service", "worker@eu", "cause", "user")
                .family("warden_journal_bytes", Type.GAUGE, "Bytes.")
                .sample(1024)
                .text();
        assertEquals("# HELP warden_service_ends_total Ends by cause.\n"
                + "# TYPE warden_service_ends_total counter\n"
                + "warden_service_ends_total{service=\"gateway\",cause=\"crash\"} 3\n"
                + "warden_service_ends_total{service=\"worker@eu\",cause=\"user\"} 0\n"
                + "# HELP warden_journal_bytes Bytes.\n"
                + "# TYPE warden_journal_bytes gauge\n"
                + "warden_journal_bytes 1024\n", text);
    }

    @Test
    void label_values_and_help_are_escaped_as_the_format_says() {
        String text = new Exposition().family("x_info", Type.GAUGE, "a \\ b\nc")
                .sample(1, "v", "quote \" backslash \\ newline \n end").text();
        assertEquals("# HELP x_info a \\\\ b\\nc\n# TYPE x_info gauge\n"
                + "x_info{v=\"quote \\\" backslash \\\\ newline \\n end\"} 1\n", text);
    }

    @Test
    void control_characters_in_a_label_value_never_reach_the_text_raw() {
        String text = new Exposition().family("x_info", Type.GAUGE, "h")
                .sample(1, "image", "1.0\u001b[2J\u0007\u009b").text();
        assertEquals("# HELP x_info h\n# TYPE x_info gauge\n"
                + "x_info{image=\"1.0\\\\u001b[2J\\\\u0007\\\\u009b\"} 1\n", text);
    }

    @Test
    void numbers_are_integers_when_whole_and_the_format_s_words_otherwise() {
        assertEquals("12", Exposition.number(12.0));
        assertEquals("0.25", Exposition.number(0.25));
        assertEquals("NaN", Exposition.number(Double.NaN));
        assertEquals("+Inf", Exposition.number(Double.POSITIVE_INFINITY));
        assertEquals("-Inf", Exposition.number(Double.NEGATIVE_INFINITY));
    }

    @Test
    void names_that_break_the_format_or_the_conventions_are_refused_here_not_at_a_scrape() {
        assertThrows(IllegalArgumentException.class, () -> new Exposition().family("bad-name", Type.GAUGE, "h"));
        assertThrows(IllegalArgumentException.class, () -> new Exposition().family("ends", Type.COUNTER, "h"));
        assertThrows(IllegalArgumentException.class, () -> new Exposition().family("up_total", Type.GAUGE, "h"));
        assertThrows(IllegalArgumentException.class, () -> new Exposition().family("a", Type.GAUGE, "h")
                .family("a", Type.GAUGE, "h"));
        assertThrows(IllegalArgumentException.class, () -> new Exposition().family("a", Type.GAUGE, "h")
                .sample(1, "__reserved", "x"));
        assertThrows(IllegalArgumentException.class, () -> new Exposition().family("a", Type.GAUGE, "h")
                .sample(1, "odd"));
        assertThrows(IllegalStateException.class, () -> new Exposition().sample(1));
    }
}

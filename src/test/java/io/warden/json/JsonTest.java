package io.warden.json;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {

    @Test
    void parses_an_object_in_order_with_every_kind_of_value() throws JsonException {
        Map<String, Object> m = Json.parseObject(
                " {\"b\": 1, \"a\": [true, false, null, -2.5e3, \"x\"], \"o\": {}, \"e\": [], \"n\": -0} \n");
        assertEquals(List.of("b", "a", "o", "e", "n"), new ArrayList<>(m.keySet()));
        assertEquals(1L, m.get("b"));
        assertEquals(Arrays.asList(true, false, null, -2500.0, "x"), m.get("a"));
        assertEquals(Map.of(), m.get("o"));
        assertEquals(List.of(), m.get("e"));
        assertEquals(0L, m.get("n"));
    }

    @Test
    void parses_literals_and_numbers_at_top_level() throws JsonException {
        assertEquals(Boolean.TRUE, Json.parse("true"));
        assertEquals(Boolean.FALSE, Json.parse("false"));
        assertNull(Json.parse(" null "));
        assertEquals(42L, Json.parse("42"));
        assertEquals(-7L, Json.parse("-7"));
        assertEquals(0.5, Json.parse("0.5"));
        assertEquals(1e10, Json.parse("1E10"));
        assertEquals(123456789012345678L, Json.parse("123456789012345678"));
    }

    @Test
    void parses_string_escapes() throws JsonException {
        assertEquals("a\"b\\c/d\be\ff\ng\rh\ti", Json.parse("\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\""));
        assertEquals("é✓\u0001", Json.parse("\"\\u00e9\\u2713\\u0001\""));
        assertEquals("\uD83D\uDE00", Json.parse("\"\\ud83d\\ude00\""), "a surrogate pair by escapes");
        assertEquals("\uD83D\uDE00 raw", Json.parse("\"\uD83D\uDE00 raw\""));
        assertEquals("", Json.parse("\"\""));
    }

    @Test
    void duplicate_members_are_an_error_naming_the_member() throws JsonException {
        JsonException e = org.junit.jupiter.api.Assertions.assertThrows(JsonException.class,
                () -> Json.parseObject("{\"a\":1,\"a\":2}"));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("duplicate member name \"a\""),
                e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(JsonException.class,
                () -> Json.parseObject("{\"x\":{\"b\":1,\"b\":1}}"));
        // the same name in different objects is no duplicate
        assertEquals(1L, Json.parseObject("{\"a\":{\"a\":1}}").get("a") instanceof java.util.Map ? 1L : 0L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{} x", "[1] ]", "1 2", "\"a\" \"b\"", "nullx", "{}{}"})
    void trailing_garbage_is_an_error(String text) {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(text));
        assertTrue(e.getMessage().contains("after the document"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"abc", "\"abc\\\"", "{\"a\": \"b", "[\"x"})
    void unterminated_strings_are_errors(String text) {
        assertThrows(JsonException.class, () -> Json.parse(text));
    }

    @Test
    void unterminated_string_message() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("\"abc"));
        assertTrue(e.getMessage().contains("unterminated string"), e.getMessage());
        assertTrue(e.getMessage().contains("offset"), e.getMessage());
    }

    @Test
    void depth_32_is_allowed_33_is_not() throws JsonException {
        Json.parse("[".repeat(32) + "]".repeat(32));
        Json.parse("{\"a\":".repeat(31) + "[]" + "}".repeat(31));
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("[".repeat(33) + "]".repeat(33)));
        assertTrue(e.getMessage().contains("nested deeper than 32"), e.getMessage());
        JsonException e2 = assertThrows(JsonException.class, () -> Json.parse("[".repeat(100_000)));
        assertTrue(e2.getMessage().contains("nested deeper than 32"), e2.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"\\x\"", "\"\\u12\"", "\"\\uzzzz\"", "\"\\U0041\"", "\"\\'\"", "\"\\"})
    void bad_escapes_are_errors(String text) {
        assertThrows(JsonException.class, () -> Json.parse(text));
    }

    @Test
    void bad_escape_message_shows_it() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("\"\\x\""));
        assertTrue(e.getMessage().contains("bad escape '\\x'"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x01, 0x0a, 0x0d, 0x09, 0x1f})
    void raw_control_characters_in_strings_are_errors(int c) {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("\"a" + (char) c + "b\""));
        assertTrue(e.getMessage().contains("control character"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "{", "[", "[1,", "[1,]", "{\"a\"}", "{\"a\":}", "{a:1}", "{\"a\":1,}",
            "tru", "nul", "-", "1e", "--1", "1.2.3", "'x'", "[1 2]", "{\"a\":1 \"b\":2}", "1e999", "+1"})
    void malformed_documents_are_errors(String text) {
        assertThrows(JsonException.class, () -> Json.parse(text));
    }

    @Test
    void parse_object_refuses_other_documents() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parseObject("[1]"));
        assertTrue(e.getMessage().contains("found array"), e.getMessage());
    }

    @Test
    void write_then_parse_round_trip() throws JsonException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "quote \" backslash \\ nl \n cr \r tab \t ctl \u0001 \u001f sep \u2028\u2029 é ✓ \uD83D\uDE00");
        m.put("n", -9_007_199_254_740_993L);
        m.put("d", 0.25);
        m.put("t", true);
        m.put("f", false);
        m.put("z", null);
        m.put("l", new ArrayList<>(Arrays.asList(1L, "two", null, new LinkedHashMap<>())));
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("k", List.of());
        m.put("o", inner);
        assertEquals(m, Json.parse(Json.write(m)));
        assertEquals(m, Json.parse(Json.writePretty(m)));
        assertFalse(Json.write(m).contains("\n"), "compact output is one line");
        assertFalse(Json.write("\u2028").contains("\u2028"), "line separators are escaped");
    }

    @Test
    void writes_integers_other_numbers_and_writables() throws JsonException {
        assertEquals("7", Json.write(7));
        assertEquals("null", Json.write(Double.NaN));
        assertEquals("[1.5]", Json.write(List.of(1.5)));
        JsonWritable w = () -> Map.of("k", "v");
        assertEquals("{\"x\":{\"k\":\"v\"}}", Json.write(Map.of("x", w)));
        assertEquals("{}", Json.writePretty(Map.of()).trim());
    }

    @Property(tries = 3000)
    void any_string_round_trips(@ForAll String s) throws JsonException {
        assertEquals(s, Json.parse(Json.write(s)));
        assertEquals(s, Json.parseObject(Json.writePretty(Map.of(s, List.of(s)))).keySet().iterator().next());
    }

    @Provide
    Arbitrary<String> anyUnicode() {
        return Arbitraries.strings().all().ofMaxLength(64);
    }

    @Property(tries = 3000)
    void any_unicode_round_trips_inside_documents(@ForAll("anyUnicode") String s) throws JsonException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("k" + s, s);
        m.put("list", List.of(s, s));
        assertEquals(m, Json.parse(Json.write(m)));
    }

    @Provide
    Arbitrary<String> jsonish() {
        return Arbitraries.strings().withChars("{}[]\":,\\ -0123456789.eE+truefalsn\u0000\u001f\u00e9")
                .ofMaxLength(40);
    }

    @Property(tries = 3000)
    void parse_of_any_string_returns_or_throws_json_exception(@ForAll("anyUnicode") String s) {
        try {
            Json.parse(s);
        } catch (JsonException expected) {
            // the only failure parse may report
        }
    }

    @Property(tries = 3000)
    void parse_of_json_like_strings_returns_or_throws_json_exception(@ForAll("jsonish") String s) {
        try {
            Json.parse(s);
        } catch (JsonException expected) {
            // the only failure parse may report
        }
    }
}

package io.warden.cli;

import io.warden.config.Setting;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArgsTest {
    private static final Set<String> VALUED = Set.of("--timeout", "--reason");
    private static final Set<String> SWITCHES = Set.of("--json");

    private static Args parse(String... a) throws UsageException {
        return Args.parse("stop", List.of(a), VALUED, SWITCHES);
    }

    private static String usage(String... a) {
        return assertThrows(UsageException.class, () -> parse(a)).getMessage();
    }

    @Test
    void both_value_forms_and_switches() throws UsageException {
        Args a = parse("--timeout", "5", "--reason=disk full = bad", "--json");
        assertEquals("stop", a.command());
        assertEquals("5", a.get("--timeout"));
        assertEquals("disk full = bad", a.get("--reason"));
        assertTrue(a.has("--json"));
        assertFalse(a.has("--other"));
        assertNull(a.get("--other"));
        assertEquals(5.0, a.seconds("--timeout", 30));
    }

    @Test
    void configuration_flags_go_to_settings_in_both_forms() throws UsageException {
        Args a = parse("--state-dir", "/tmp/s", "--socket=/tmp/w.sock");
        assertEquals("/tmp/s", a.settings().get(Setting.STATE_DIR));
        assertEquals("/tmp/w.sock", a.settings().get(Setting.SOCKET));
        assertFalse(a.has("--state-dir"));
    }

    @Test
    void values_may_start_with_a_dash() throws UsageException {
        assertEquals("-x", parse("--reason", "-x").get("--reason"));
    }

    @Test
    void unknown_option() {
        String m = usage("--force");
        assertTrue(m.contains("unknown option '--force'") && m.contains("'stop'"), m);
        assertTrue(usage("-f").contains("'-f'"));
        assertTrue(usage("--forc=1").contains("--forc=1"));
    }

    @Test
    void missing_value() {
        assertTrue(usage("--timeout").contains("--timeout needs a value"));
        assertTrue(usage("--socket").contains("--socket needs a value"));
    }

    @Test
    void switch_with_value() {
        assertTrue(usage("--json=yes").contains("--json takes no value"));
    }

    @Test
    void positional_arguments_are_refused() {
        assertTrue(usage("gateway").contains("unexpected argument 'gateway'"));
    }

    @Test
    void seconds_must_be_a_positive_number_up_to_a_day() throws UsageException {
        assertEquals(30.0, parse().seconds("--timeout", 30));
        assertEquals(0.5, parse("--timeout", "0.5").seconds("--timeout", 30));
        assertEquals(86400.0, parse("--timeout", "86400").seconds("--timeout", 30));
        for (String bad : new String[] {"abc", "0", "-1", "86401", "NaN", "Infinity", ""}) {
            Args a = parse("--timeout", bad);
            UsageException e = assertThrows(UsageException.class, () -> a.seconds("--timeout", 30), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void count_must_be_a_non_negative_integer() throws UsageException {
        Set<String> valued = Set.of("-n");
        assertEquals(50, Args.parse("history", List.of(), valued, Set.of()).count("-n", 50));
        assertEquals(0, Args.parse("history", List.of("-n", "0"), valued, Set.of()).count("-n", 50));
        assertEquals(7, Args.parse("history", List.of("-n", "7"), valued, Set.of()).count("-n", 50));
        for (String bad : new String[] {"-1", "x", "1.5", "99999999999"}) {
            Args a = Args.parse("history", List.of("-n", bad), valued, Set.of());
            assertThrows(UsageException.class, () -> a.count("-n", 50), bad);
        }
    }

    @Test
    void a_reason_must_be_printable_at_every_boundary_of_the_rule() throws UsageException {
        for (char c : new char[] {0x00, 0x09, 0x0a, 0x0d, 0x1b, 0x1f, 0x7f, 0x80, 0x85, 0x9b, 0x9f}) {
            Args a = parse("--reason", "ab" + c);
            UsageException e = assertThrows(UsageException.class, () -> a.printable("--reason"),
                    String.format("U+%04X", (int) c));
            assertTrue(e.getMessage().contains(String.format("U+%04X", (int) c)) && e.getMessage().contains("character 3"),
                    e.getMessage());
            assertFalse(e.showUsage(), "a bad value is one line, not the usage");
        }
        for (String ok : new String[] {" ", "~", "\u00a0", "caf\u00e9", "\u65e5\u672c", "\ud83d\ude00", ""}) {
            assertEquals(ok, parse("--reason", ok).printable("--reason"));
        }
        assertNull(parse().printable("--reason"));
    }

    @Test
    void help_in_an_option_place_asks_for_usage_and_as_a_value_is_a_value() throws UsageException {
        assertTrue(parse("--help").help());
        assertTrue(parse("--timeout", "5", "-h").help());
        assertFalse(parse("--reason", "-h").help());
        assertEquals("--help", parse("--reason", "--help").get("--reason"));
    }
}

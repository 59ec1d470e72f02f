package io.warden.cli;

import io.warden.config.Setting;
import io.warden.config.Settings;
import io.warden.state.IntentState;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** io.warden.config.Settings, tested here beside the command line that resolves it. */
class SettingsTest {
    private static Map<Setting, String> flags(Setting s, String v) {
        Map<Setting, String> m = new EnumMap<>(Setting.class);
        m.put(s, v);
        return m;
    }

    @Test
    void defaults_of_the_contract() {
        Settings s = Settings.resolve(Map.of(), Map.of());
        assertEquals(Path.of("/var/lib/warden"), s.path(Setting.STATE_DIR));
        assertEquals(Path.of("/run/warden/warden.sock"), s.path(Setting.SOCKET));
        assertEquals("/run/service", s.get(Setting.SCANDIR));
        assertEquals("gateway", s.service());
        assertEquals("", s.get(Setting.TEMPLATE), "unset: the templates folder, not one-service mode");
        assertEquals("/etc/warden/services", s.get(Setting.TEMPLATES));
        assertEquals(IntentState.UP, s.defaultIntent());
        assertNull(s.controlGroup());
        assertNull(s.notifyFd());
        assertEquals(5000, s.signalWindowMillis());
    }

    @Test
    void flag_beats_env_beats_default() {
        Map<String, String> env = Map.of("WARDEN_STATE_DIR", "/env/state", "WARDEN_SOCKET", "/env/w.sock");
        Settings s = Settings.resolve(env, flags(Setting.STATE_DIR, "/flag/state"));
        assertEquals("/flag/state", s.get(Setting.STATE_DIR));
        assertEquals("/env/w.sock", s.get(Setting.SOCKET));
        assertEquals("/run/service", s.get(Setting.SCANDIR));
    }

    @Test
    void empty_env_means_default() {
        Settings s = Settings.resolve(Map.of("WARDEN_DEFAULT_INTENT", ""), Map.of());
        assertEquals("gateway", s.service());
        assertEquals(IntentState.UP, s.defaultIntent());
    }

    @Test
    void an_empty_service_name_is_an_error_not_the_default() {
        Settings.ConfigException e = assertThrows(Settings.ConfigException.class,
                () -> Settings.resolve(Map.of("WARDEN_SERVICE", ""), Map.of()));
        assertTrue(e.getMessage().contains("WARDEN_SERVICE is empty"), e.getMessage());
        assertThrows(Settings.ConfigException.class, () -> Settings.resolve(Map.of(), flags(Setting.SERVICE, "")));
    }

    @Test
    void an_image_version_with_a_control_character_is_refused_in_one_escaped_line() {
        Settings.ConfigException e = assertThrows(Settings.ConfigException.class,
                () -> Settings.resolve(Map.of("WARDEN_IMAGE_VERSION", "1.0\u001b[2J"), Map.of()));
        assertEquals("WARDEN_IMAGE_VERSION holds a control character: '1.0\\u001b[2J'", e.getMessage());
        assertEquals("2.1.0-rc1", Settings.resolve(Map.of("WARDEN_IMAGE_VERSION", "2.1.0-rc1"), Map.of())
                .get(Setting.IMAGE_VERSION));
    }

    @Test
    void names_of_wardens_own_files_are_refused() {
        for (String name : new String[] {"run", "journal", "journal.1", "lock"}) {
            Settings.ConfigException e = assertThrows(Settings.ConfigException.class,
                    () -> Settings.resolve(Map.of("WARDEN_SERVICE", name), Map.of()), name);
            assertTrue(e.getMessage().contains("reserved") && e.getMessage().contains(name), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), "one line");
        }
        Settings.ConfigException e = assertThrows(Settings.ConfigException.class,
                () -> Settings.resolve(Map.of("WARDEN_SERVICE", "lock"), Map.of()));
        assertTrue(e.getMessage().endsWith("(run, journal, journal.1, lock are reserved)"),
                "the documented order, the same at every run: " + e.getMessage());
        assertEquals("runner", Settings.resolve(Map.of("WARDEN_SERVICE", "runner"), Map.of()).service());
        assertEquals("lock.d", Settings.resolve(Map.of("WARDEN_SERVICE", "lock.d"), Map.of()).service());
    }

    @Test
    void the_design_name_rule_holds() {
        for (String ok : new String[] {"gateway", "g", "0day", "a.b_c-d", "gateway@alice"}) {
            assertEquals(ok, Settings.resolve(Map.of("WARDEN_SERVICE", ok), Map.of()).service());
        }
        for (String bad : new String[] {".hidden", "-x", "_x", "Gateway", "a/b", "a@b@c", "gateway@", "@x", "a b", "a\nb", "é"}) {
            assertThrows(Settings.ConfigException.class, () -> Settings.resolve(Map.of("WARDEN_SERVICE", bad), Map.of()),
                    bad);
        }
    }

    @Test
    void a_name_too_long_for_the_file_system_is_a_usage_error() {
        String longest = "g".repeat(io.warden.state.ServiceName.MAX_LENGTH);
        assertEquals(longest, Settings.resolve(Map.of("WARDEN_SERVICE", longest), Map.of()).service());
        Settings.ConfigException e = assertThrows(Settings.ConfigException.class,
                () -> Settings.resolve(Map.of("WARDEN_SERVICE", longest + "g"), Map.of()));
        assertTrue(e.getMessage().contains("at most"), e.getMessage());
        // the longest name still leaves room for warden's longest derived file name
        assertTrue((longest + ".json.corrupt-2030-01-01T00-00-00.123456789Z-99").length() <= 255);
    }

    @Test
    void signal_window_refuses_nan_infinity_negative_and_exotic_numbers() {
        for (String bad : new String[] {"NaN", "nan", "Infinity", "-Infinity", "inf", "-1", "-0.5", "1e3", "0x10",
                "3601", " 5", "5s", ""}) {
            if (bad.isEmpty()) continue; // empty means the default, like every setting but the name
            Settings.ConfigException e = assertThrows(Settings.ConfigException.class,
                    () -> Settings.resolve(Map.of("WARDEN_SIGNAL_WINDOW", bad), Map.of()), bad);
            assertTrue(e.getMessage().contains("WARDEN_SIGNAL_WINDOW"), e.getMessage());
        }
        assertEquals(500, Settings.resolve(Map.of("WARDEN_SIGNAL_WINDOW", "0.5"), Map.of()).signalWindowMillis());
        assertEquals(0, Settings.resolve(Map.of("WARDEN_SIGNAL_WINDOW", "0"), Map.of()).signalWindowMillis());
        assertEquals(3_600_000, Settings.resolve(Map.of("WARDEN_SIGNAL_WINDOW", "3600"), Map.of()).signalWindowMillis());
    }

    @Test
    void default_intent_down_from_env_or_flag() {
        assertEquals(IntentState.DOWN,
                Settings.resolve(Map.of("WARDEN_DEFAULT_INTENT", "down"), Map.of()).defaultIntent());
        assertEquals(IntentState.UP, Settings.resolve(Map.of("WARDEN_DEFAULT_INTENT", "down"),
                flags(Setting.DEFAULT_INTENT, "up")).defaultIntent());
    }

    @Test
    void bad_default_intent_names_the_variable() {
        Settings.ConfigException e = assertThrows(Settings.ConfigException.class,
                () -> Settings.resolve(Map.of("WARDEN_DEFAULT_INTENT", "sideways"), Map.of()));
        assertTrue(e.getMessage().contains("WARDEN_DEFAULT_INTENT"), e.getMessage());
        assertTrue(e.getMessage().contains("sideways"), e.getMessage());
    }

    @Test
    void other_bad_values_name_their_variable() {
        for (String[] bad : new String[][] {
                {"WARDEN_SERVICE", "../etc"}, {"WARDEN_SERVICE", ".hidden"}, {"WARDEN_SIGNAL_WINDOW", "soon"},
                {"WARDEN_SIGNAL_WINDOW", "-1"}, {"WARDEN_JOURNAL_MAX_BYTES", "100"},
                {"WARDEN_JOURNAL_MAX_BYTES", "lots"}, {"WARDEN_NOTIFY_FD", "1"}, {"WARDEN_NOTIFY_FD", "x"}}) {
            Settings.ConfigException e = assertThrows(Settings.ConfigException.class,
                    () -> Settings.resolve(Map.of(bad[0], bad[1]), Map.of()), bad[0] + "=" + bad[1]);
            assertTrue(e.getMessage().contains(bad[0]), e.getMessage());
        }
    }

    @Test
    void max_services_defaults_to_the_measured_number_and_refuses_what_it_cannot_mean() {
        assertEquals(5000, Settings.resolve(Map.of(), Map.of()).maxServices());
        assertEquals(12, Settings.resolve(Map.of("WARDEN_MAX_SERVICES", "12"), Map.of()).maxServices());
        assertEquals(7, Settings.resolve(Map.of("WARDEN_MAX_SERVICES", "12"),
                flags(Setting.MAX_SERVICES, "7")).maxServices());
        for (String bad : new String[] {"0", "-1", "lots", "50001", "99999999999"}) {
            Settings.ConfigException e = assertThrows(Settings.ConfigException.class,
                    () -> Settings.resolve(Map.of("WARDEN_MAX_SERVICES", bad), Map.of()), bad);
            assertTrue(e.getMessage().contains("WARDEN_MAX_SERVICES"), e.getMessage());
        }
    }

    @Test
    void control_group_and_notify_fd() {
        Settings s = Settings.resolve(Map.of("WARDEN_CONTROL_GROUP", "gwadmin", "WARDEN_NOTIFY_FD", "3"), Map.of());
        assertEquals("gwadmin", s.controlGroup());
        assertEquals(3, s.notifyFd());
    }

    @Test
    void import_and_the_other_definition_folders() {
        Settings d = Settings.resolve(Map.of(), Map.of());
        assertNull(d.hermesHome(), "no import unless asked for");
        assertEquals("/etc/s6-overlay/s6-rc.d", d.get(Setting.S6_RC_SOURCE));
        assertEquals("/etc/services.d", d.get(Setting.SERVICES_D));
        assertEquals(Path.of("/opt/data"), Settings.resolve(Map.of("WARDEN_IMPORT", "hermes:/opt/data/"), Map.of()).hermesHome());
        for (String bad : new String[]{"hermes:", "hermes:opt/data", "systemd:/x", "/opt/data"}) {
            Settings.ConfigException e = assertThrows(Settings.ConfigException.class,
                    () -> Settings.resolve(Map.of("WARDEN_IMPORT", bad), Map.of()), bad);
            assertTrue(e.getMessage().startsWith("WARDEN_IMPORT must be hermes:"), e.getMessage());
        }
    }
}

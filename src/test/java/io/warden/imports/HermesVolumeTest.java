package io.warden.imports;

import io.warden.state.IntentState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hermes's boot decision table (HERMES-NOTES §1.6), one row per case, each read from a real
 * {@code gateway_state.json} written the way Hermes writes it (compact JSON with its other keys).
 */
class HermesVolumeTest {
    @TempDir
    Path home;

    private Path write(String json) throws Exception {
        Path f = home.resolve("gateway_state.json");
        Files.writeString(f, json, StandardCharsets.UTF_8);
        return f;
    }

    private static String hermesFile(String members) {
        return "{\"pid\":4242,\"kind\":\"hermes-gateway\",\"argv\":[\"hermes\",\"gateway\",\"run\"],"
                + "\"start_time\":123456,\"exit_reason\":null,\"active_agents\":0,\"platforms\":{\"telegram\":"
                + "{\"state\":\"connected\"}},\"updated_at\":\"2026-06-10T10:00:00Z\""
                + (members.isEmpty() ? "" : "," + members) + "}";
    }

    @ParameterizedTest(name = "desired_state {0}, gateway_state {1} -> {2}")
    @CsvSource({
            // desired_state first, whatever gateway_state says
            "running, stopped, up",
            "running, , up",
            "stopped, running, down",
            "stopped, , down",
            // no desired_state: gateway_state (the #42675 fix persists running on a signal teardown)
            ", running, up",
            ", draining, up",
            ", degraded, up",
            ", stopped, down",
            ", starting, down",
            ", startup_failed, down",
            // a value Hermes does not autostart stays down
            "paused, running, down",
            ", weird, down",
    })
    void every_row_of_the_table(String desired, String gateway, String expected) throws Exception {
        StringBuilder m = new StringBuilder();
        if (gateway != null) m.append("\"gateway_state\":\"").append(gateway).append('"');
        if (desired != null) m.append(m.length() > 0 ? "," : "").append("\"desired_state\":\"").append(desired).append('"');
        Path f = write(hermesFile(m.toString()));
        HermesVolume.Reading r = new HermesVolume(home).read(f);
        assertTrue(r.imports(), r.why());
        assertEquals(IntentState.fromWire(expected), r.intent(), r.why());
        assertEquals(f.toString(), r.origin().file());
        assertEquals("hermes", r.origin().kind());
        if (desired != null) {
            assertEquals(Map.of("desired_state", desired), r.origin().keys(), "only the key the decision used");
        } else {
            assertEquals(Map.of("gateway_state", gateway), r.origin().keys());
        }
    }

    @Test
    void null_desired_state_falls_back_to_gateway_state() throws Exception {
        HermesVolume.Reading r = new HermesVolume(home).read(write(hermesFile("\"desired_state\":null,\"gateway_state\":\"running\"")));
        assertEquals(IntentState.UP, r.intent());
    }

    @Test
    void a_file_with_neither_key_reads_as_hermes_reads_it_down() throws Exception {
        HermesVolume.Reading r = new HermesVolume(home).read(write(hermesFile("")));
        assertEquals(IntentState.DOWN, r.intent());
        assertEquals(Map.of(), r.origin().keys());
    }

    @Test
    void the_cli_desired_state_merge_with_an_epoch_updated_at_is_read() throws Exception {
        // hermes gateway stop merges only desired_state and an int epoch updated_at
        HermesVolume.Reading r = new HermesVolume(home).read(write("{\"gateway_state\":\"running\",\"desired_state\":\"stopped\",\"updated_at\":1781085600}"));
        assertEquals(IntentState.DOWN, r.intent());
    }

    @Test
    void a_missing_file_imports_nothing() {
        HermesVolume.Reading r = new HermesVolume(home).read(home.resolve("gateway_state.json"));
        assertFalse(r.imports());
        assertTrue(r.why().contains("does not exist"), r.why());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"gateway_state\":\"running\"",
            "[\"running\"]",
            "\"running\"",
            "''",
            "{\"gateway_state\": running}",
    })
    void a_corrupt_file_imports_nothing(String text) throws Exception {
        HermesVolume.Reading r = new HermesVolume(home).read(write(text));
        assertFalse(r.imports(), "corrupt: " + text);
        assertNull(r.origin());
    }

    @Test
    void bytes_that_are_not_utf8_import_nothing() throws Exception {
        Path f = home.resolve("gateway_state.json");
        Files.write(f, new byte[]{'{', '"', 'g', '"', ':', '"', (byte) 0xff, '"', '}'});
        assertFalse(new HermesVolume(home).read(f).imports());
    }

    @Test
    void profiles_skip_default_and_are_sorted() throws Exception {
        for (String p : List.of("work", "default", "alpha")) Files.createDirectories(home.resolve("profiles/" + p));
        Files.writeString(home.resolve("profiles/not-a-dir"), "x");
        assertEquals(List.of("alpha", "work"), new HermesVolume(home).profiles());
        assertEquals(home.resolve("profiles/work/gateway_state.json"), new HermesVolume(home).profileFile("work"));
    }

    @Test
    void reading_never_changes_the_file() throws Exception {
        Path f = write(hermesFile("\"gateway_state\":\"stopped\""));
        Instant old = Instant.parse("2026-01-01T00:00:00Z");
        Files.setLastModifiedTime(f, FileTime.from(old));
        byte[] before = Files.readAllBytes(f);
        new HermesVolume(home).read(f);
        assertArrayEquals(before, Files.readAllBytes(f));
        assertEquals(FileTime.from(old), Files.getLastModifiedTime(f));
        assertEquals(1, Files.list(home).count(), "nothing created beside it");
    }
}

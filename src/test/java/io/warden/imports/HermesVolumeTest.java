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
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    private HermesVolume.Reading readRoot(Path f) throws Exception {
        assertEquals(home.resolve("gateway_state.json"), f);
        try (HermesVolume v = HermesVolume.open(home)) {
            return v.readRoot();
        }
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
        HermesVolume.Reading r = readRoot(f);
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
        HermesVolume.Reading r = readRoot(write(hermesFile("\"desired_state\":null,\"gateway_state\":\"running\"")));
        assertEquals(IntentState.UP, r.intent());
    }

    @Test
    void a_file_with_neither_key_reads_as_hermes_reads_it_down() throws Exception {
        HermesVolume.Reading r = readRoot(write(hermesFile("")));
        assertEquals(IntentState.DOWN, r.intent());
        assertEquals(Map.of(), r.origin().keys());
    }

    @Test
    void the_cli_desired_state_merge_with_an_epoch_updated_at_is_read() throws Exception {
        // hermes gateway stop merges only desired_state and an int epoch updated_at
        HermesVolume.Reading r = readRoot(write("{\"gateway_state\":\"running\",\"desired_state\":\"stopped\",\"updated_at\":1781085600}"));
        assertEquals(IntentState.DOWN, r.intent());
    }

    @Test
    void a_missing_file_imports_nothing() throws Exception {
        HermesVolume.Reading r = readRoot(home.resolve("gateway_state.json"));
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
        HermesVolume.Reading r = readRoot(write(text));
        assertFalse(r.imports(), "corrupt: " + text);
        assertNull(r.origin());
    }

    @Test
    void bytes_that_are_not_utf8_import_nothing() throws Exception {
        Path f = home.resolve("gateway_state.json");
        Files.write(f, new byte[]{'{', '"', 'g', '"', ':', '"', (byte) 0xff, '"', '}'});
        assertFalse(readRoot(f).imports());
    }

    @Test
    void profiles_are_directories_holding_soul_md_except_default_sorted() throws Exception {
        for (String p : List.of("work", "default", "alpha", "nosoul")) Files.createDirectories(home.resolve("profiles/" + p));
        for (String p : List.of("work", "default", "alpha")) Files.writeString(home.resolve("profiles/" + p + "/SOUL.md"), "x");
        Files.createDirectories(home.resolve("profiles/dirsoul/SOUL.md"));
        Files.writeString(home.resolve("profiles/not-a-dir"), "x");
        try (HermesVolume v = HermesVolume.open(home)) {
            HermesVolume.Profiles ps = v.profiles();
            assertEquals(List.of("alpha", "work"), ps.names(), "SOUL.md decides, as for Hermes; default is skipped");
            assertTrue(ps.passedOver().toString().contains("nosoul holds no SOUL.md"), ps.passedOver().toString());
            assertTrue(ps.passedOver().toString().contains("dirsoul holds no SOUL.md file (a directory)"), ps.passedOver().toString());
            assertEquals(home.resolve("profiles/work/gateway_state.json"), v.profileFile("work"));
        }
    }

    @Test
    void reading_never_changes_the_file() throws Exception {
        Path f = write(hermesFile("\"gateway_state\":\"stopped\""));
        Instant old = Instant.parse("2026-01-01T00:00:00Z");
        Files.setLastModifiedTime(f, FileTime.from(old));
        byte[] before = Files.readAllBytes(f);
        readRoot(f);
        assertArrayEquals(before, Files.readAllBytes(f));
        assertEquals(FileTime.from(old), Files.getLastModifiedTime(f));
        assertEquals(1, Files.list(home).count(), "nothing created beside it");
    }

    // ---- a broken or hostile volume: only regular files inside the home are read, and nothing blocks -------

    @Test
    @org.junit.jupiter.api.Timeout(20)
    void a_fifo_where_the_state_file_should_be_is_not_opened() throws Exception {
        Path fifo = home.resolve("gateway_state.json");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        HermesVolume.Reading r = readRoot(fifo);
        assertFalse(r.imports());
        assertTrue(r.why().contains("is a FIFO, socket or device, not a regular file: not read"), r.why());
    }

    @Test
    void a_symlink_out_of_the_home_is_not_followed(@TempDir Path outside) throws Exception {
        Path secret = outside.resolve("secret.json");
        Files.writeString(secret, "{\"desired_state\":\"running\"}");
        Files.createSymbolicLink(home.resolve("gateway_state.json"), secret);
        HermesVolume.Reading r = readRoot(home.resolve("gateway_state.json"));
        assertFalse(r.imports(), "the link's target is never read");
        assertTrue(r.why().contains("is a symbolic link, not a regular file"), r.why());

        // a profile folder that is a link out, and a profile whose files are links out
        Path elsewhere = Files.createDirectories(outside.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("SOUL.md"), "x");
        Files.copy(secret, elsewhere.resolve("gateway_state.json"));
        Files.createDirectories(home.resolve("profiles"));
        Files.createSymbolicLink(home.resolve("profiles/linked"), elsewhere);
        Path soulLink = Files.createDirectories(home.resolve("profiles/soullink"));
        Files.createSymbolicLink(soulLink.resolve("SOUL.md"), elsewhere.resolve("SOUL.md"));
        Path fileLink = Files.createDirectories(home.resolve("profiles/filelink"));
        Files.writeString(fileLink.resolve("SOUL.md"), "x");
        Files.createSymbolicLink(fileLink.resolve("gateway_state.json"), secret);
        try (HermesVolume v = HermesVolume.open(home)) {
            HermesVolume.Profiles ps = v.profiles();
            assertEquals(List.of("filelink"), ps.names());
            assertTrue(ps.passedOver().toString().contains("linked is a symbolic link: not followed"), ps.toString());
            assertTrue(ps.passedOver().toString().contains("soullink holds no SOUL.md file (a symbolic link)"), ps.toString());
            assertFalse(v.readProfile("filelink").imports());
            assertFalse(v.readProfile("linked").imports(), "named directly, the link is still not followed");
        }
    }

    @Test
    void the_profiles_folder_itself_as_a_link_is_not_followed(@TempDir Path outside) throws Exception {
        Path p = Files.createDirectories(outside.resolve("profiles/work"));
        Files.writeString(p.resolve("SOUL.md"), "x");
        Files.createSymbolicLink(home.resolve("profiles"), outside.resolve("profiles"));
        try (HermesVolume v = HermesVolume.open(home)) {
            HermesVolume.Profiles ps = v.profiles();
            assertEquals(List.of(), ps.names());
            assertTrue(ps.passedOver().toString().contains("is a symbolic link, not a directory"), ps.toString());
        }
    }

    @Test
    void a_file_past_the_size_bound_is_not_read() throws Exception {
        Path f = home.resolve("gateway_state.json");
        Files.write(f, new byte[HermesVolume.MAX_BYTES + 1]);
        HermesVolume.Reading r = readRoot(f);
        assertFalse(r.imports());
        assertTrue(r.why().contains("larger than"), r.why());
    }

    private void profile(String name, String json) throws Exception {
        Path d = Files.createDirectories(home.resolve("profiles").resolve(name));
        Files.writeString(d.resolve("SOUL.md"), "soul");
        if (json != null) Files.writeString(d.resolve("gateway_state.json"), json);
    }

    @Test
    void at_most_the_bound_of_profiles_is_read_and_the_rest_refused_loudly(@TempDir Path state) throws Exception {
        int n = HermesImport.MAX_INSTANCES + 6;
        for (int i = 0; i < n; i++) profile(String.format("p%03d", i), "{\"desired_state\":\"running\"}");
        ImportRecord record = ImportRecord.load(state);
        HermesImport imp = HermesImport.read(home, "gateway", record, java.util.Set.of(), HermesImport.DEADLINE);
        assertEquals(HermesImport.MAX_INSTANCES, imp.profileInstances().size());
        assertTrue(imp.profileInstances().containsKey("gateway@p000"), "the first in name order");
        assertEquals(1, imp.problems().size(), imp.problems().toString());
        assertTrue(imp.problems().get(0).contains("6 profile(s) refused: at most 64"), imp.problems().toString());

        // the bound counts the record: 60 imported before leaves room for 4
        for (int i = 0; i < 60; i++) record.add("gateway@old" + i, "old" + i, Instant.EPOCH, ImportRecord.How.IMPORTED);
        imp = HermesImport.read(home, "gateway", record, java.util.Set.of(), HermesImport.DEADLINE);
        assertEquals(4, imp.profileInstances().size());
        assertTrue(imp.problems().get(0).contains((n - 4) + " profile(s) refused"), imp.problems().toString());
    }

    @Test
    void a_profile_dealt_with_before_is_not_read_again_and_one_with_state_is_only_recorded(@TempDir Path state) throws Exception {
        profile("work", "{\"desired_state\":\"running\"}");
        profile("lab", "{\"desired_state\":\"running\"}");
        profile("new", "{\"desired_state\":\"stopped\"}");
        ImportRecord record = ImportRecord.load(state);
        record.add("gateway@work", "work", Instant.EPOCH, ImportRecord.How.IMPORTED);
        HermesImport imp = HermesImport.read(home, "gateway", record, java.util.Set.of("gateway@lab"), HermesImport.DEADLINE);
        assertEquals(List.of("gateway@new"), List.copyOf(imp.profileInstances().keySet()));
        assertEquals(Map.of("gateway@lab", "lab"), imp.keptInstances());
        assertTrue(imp.problems().isEmpty(), imp.problems().toString());
    }

    @Test
    void the_record_round_trips_and_a_damaged_one_is_an_error(@TempDir Path state) throws Exception {
        ImportRecord r = ImportRecord.load(state);
        r.add("gateway@work", "work", Instant.parse("2026-12-02T10:00:00Z"), ImportRecord.How.IMPORTED);
        r.add("gateway@lab", "lab", Instant.parse("2026-12-02T10:00:00Z"), ImportRecord.How.KEPT);
        r.saveIfChanged();
        String text = Files.readString(state.resolve(ImportRecord.FILE));
        assertTrue(text.contains("\"format\": 1") && text.contains("\"how\": \"kept\""), text);
        ImportRecord back = ImportRecord.load(state);
        assertTrue(back.contains("gateway@work") && back.contains("gateway@lab"));
        assertEquals(1, back.importedCount());
        assertFalse(ImportRecord.FILE.endsWith(".json"), "never taken for a service's state file");
        Files.writeString(state.resolve(ImportRecord.FILE), "{\"format\": 1, \"services\": [");
        assertThrows(java.io.IOException.class, () -> ImportRecord.load(state));
    }
}

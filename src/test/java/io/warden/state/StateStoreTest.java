package io.warden.state;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StateStoreTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:15:30Z");
    private static final ServiceState GOOD = new ServiceState("gateway",
            Intent.byUser(IntentState.DOWN, T0, 0, 99L, "maintenance"),
            new LastShutdown(ShutdownCause.USER, null, T0, 0, null));

    @TempDir
    Path dir;
    StateStore store;

    @BeforeEach
    void setUp() {
        store = new StateStore(dir, "gateway");
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private List<Path> corruptFiles(String base) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(base + ".corrupt-")).sorted()
                    .collect(Collectors.toList());
        }
    }

    @Test
    void first_load_is_absent_not_damaged() {
        StateStore.Loaded<ServiceState> l = store.loadService();
        assertNull(l.value());
        assertFalse(l.damaged());
        assertNull(l.problem());
        StateStore.Loaded<RunRecord> r = store.loadRun();
        assertNull(r.value());
        assertFalse(r.damaged());
        StateStore.Loaded<ServiceState> p = store.peekService();
        assertNull(p.value());
        assertFalse(p.damaged());
    }

    @Test
    void ensure_directory_creates_missing_parents() throws IOException {
        StateStore nested = new StateStore(dir.resolve("a/b"), "gateway");
        nested.ensureDirectory();
        assertTrue(Files.isDirectory(dir.resolve("a/b")));
        nested.saveService(GOOD);
        assertEquals(GOOD, nested.loadService().value());
    }

    @Test
    void save_then_load() throws IOException {
        store.saveService(GOOD);
        assertEquals(dir.resolve("gateway.json"), store.serviceFile());
        assertTrue(Files.exists(dir.resolve("gateway.json")));
        StateStore.Loaded<ServiceState> l = store.loadService();
        assertFalse(l.damaged());
        assertEquals(GOOD, l.value());
        // a second save replaces the first
        ServiceState up = GOOD.withIntent(Intent.byUser(IntentState.UP, T0.plusSeconds(5), 0, null, "back"));
        store.saveService(up);
        assertEquals(up, new StateStore(dir, "gateway").loadService().value());
        assertEquals(List.of("gateway.json"), names(), "no temporary file is left behind");
    }

    @Test
    void run_record_save_then_load() throws IOException {
        RunRecord r = new RunRecord(123, T0, null, null, new GatewayRun(7325, "@400000006b09f7f20ec62266"));
        store.saveRun(r);
        assertEquals(r, store.loadRun().value());
    }

    @Test
    void torn_temporary_file_is_removed_and_the_real_file_is_intact() throws IOException {
        store.saveService(GOOD);
        byte[] before = Files.readAllBytes(store.serviceFile());
        Path torn = dir.resolve(".tmp-gateway.json-123-1");
        Files.writeString(torn, "{\n  \"format\": 1,\n  \"servi");

        List<String> removed = store.removeTornWrites();

        assertEquals(List.of(".tmp-gateway.json-123-1"), removed);
        assertFalse(Files.exists(torn));
        assertArrayEquals(before, Files.readAllBytes(store.serviceFile()));
        assertEquals(GOOD, store.loadService().value());
        assertEquals(List.of(), store.removeTornWrites(), "nothing left the second time");
    }

    static Stream<Arguments> corruptContents() {
        String good = GOOD.toFileText();
        return Stream.of(
                Arguments.of("empty", new byte[0]),
                Arguments.of("whitespace only", " \n\n".getBytes(StandardCharsets.UTF_8)),
                Arguments.of("truncated JSON", good.substring(0, good.length() / 2).getBytes(StandardCharsets.UTF_8)),
                // what a power loss can leave: a block of zeros
                Arguments.of("zero-filled", new byte[512]),
                Arguments.of("control-byte garbage", new byte[] {1, 2, 3, 0x7f, 0x1b, '{', 0, '}'}),
                Arguments.of("valid JSON, an array", "[1, 2, 3]\n".getBytes(StandardCharsets.UTF_8)),
                Arguments.of("valid JSON, object of the wrong shape",
                        "{\"format\": 1, \"service\": \"gateway\", \"intent\": \"up\"}".getBytes(StandardCharsets.UTF_8)),
                Arguments.of("valid JSON, a string", "\"gateway\"".getBytes(StandardCharsets.UTF_8)),
                Arguments.of("format 2", good.replace("\"format\": 1", "\"format\": 2").getBytes(StandardCharsets.UTF_8)),
                Arguments.of("another service's file",
                        new ServiceState("other", GOOD.intent(), null).toFileText().getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptContents")
    void corrupt_service_file_is_damaged_and_kept_aside(String what, byte[] content) throws IOException {
        Path file = store.serviceFile();
        Files.write(file, content);

        StateStore.Loaded<ServiceState> l = store.loadService();

        assertTrue(l.damaged(), what);
        assertNull(l.value());
        assertTrue(l.problem().contains(file.toString()), "problem names the file: " + l.problem());
        assertFalse(Files.exists(file), "the damaged file no longer stands as the state");
        List<Path> aside = corruptFiles("gateway.json");
        assertEquals(1, aside.size(), "exactly one gateway.json.corrupt-* file: " + names());
        assertEquals(aside.get(0), l.keptAside());
        assertArrayEquals(content, Files.readAllBytes(aside.get(0)), "original bytes kept");
        assertTrue(l.problem().contains(aside.get(0).getFileName().toString()), l.problem());

        // the next load is a first boot; a fresh save works and the kept file stays
        assertFalse(store.loadService().damaged());
        store.saveService(GOOD);
        assertEquals(GOOD, store.loadService().value());
        assertArrayEquals(content, Files.readAllBytes(aside.get(0)));
    }

    @Test
    void wrong_service_problem_names_both_services() throws IOException {
        Files.writeString(store.serviceFile(), new ServiceState("other", GOOD.intent(), null).toFileText());
        String problem = store.loadService().problem();
        assertTrue(problem.contains("'other'") && problem.contains("'gateway'"), problem);
    }

    @Test
    void format_2_problem_says_the_version() throws IOException {
        Files.writeString(store.serviceFile(), GOOD.toFileText().replace("\"format\": 1", "\"format\": 2"));
        String problem = store.loadService().problem();
        assertTrue(problem.contains("format version 2"), problem);
    }

    @Test
    void two_corruptions_keep_two_files() throws IOException {
        Files.writeString(store.serviceFile(), "first");
        assertTrue(store.loadService().damaged());
        Files.writeString(store.serviceFile(), "second");
        assertTrue(store.loadService().damaged());
        List<Path> aside = corruptFiles("gateway.json");
        assertEquals(2, aside.size(), names().toString());
        List<String> contents = List.of(Files.readString(aside.get(0)), Files.readString(aside.get(1)));
        assertTrue(contents.contains("first") && contents.contains("second"), contents.toString());
    }

    @Test
    void corrupt_run_record_is_kept_aside_too() throws IOException {
        Files.writeString(dir.resolve("run.json"), "{\"format\":1,\"wardenPid\":");
        StateStore.Loaded<RunRecord> l = store.loadRun();
        assertTrue(l.damaged());
        assertTrue(l.problem().contains("run.json"), l.problem());
        assertEquals(1, corruptFiles("run.json").size());
        assertFalse(Files.exists(dir.resolve("run.json")));
    }

    @Test
    void peek_never_moves_anything() throws IOException {
        byte[] garbage = "{\"format\": 1, \"serv".getBytes(StandardCharsets.UTF_8);
        Files.write(store.serviceFile(), garbage);

        StateStore.Loaded<ServiceState> p = store.peekService();

        assertTrue(p.damaged());
        assertNull(p.value());
        assertNull(p.keptAside());
        assertTrue(p.problem().contains(store.serviceFile().toString()), p.problem());
        assertArrayEquals(garbage, Files.readAllBytes(store.serviceFile()));
        assertEquals(List.of("gateway.json"), names());
    }

    @Test
    void peek_reads_a_good_file() throws IOException {
        store.saveService(GOOD);
        StateStore.Loaded<ServiceState> p = store.peekService();
        assertFalse(p.damaged());
        assertNotNull(p.value());
        assertEquals(GOOD, p.value());
    }
}

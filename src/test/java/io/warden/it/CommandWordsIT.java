package io.warden.it;

import io.warden.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the command line says, against the real daemon and real s6 (issue 19): true, and quiet when nothing went
 * wrong.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CommandWordsIT {
    @TempDir
    Path root;

    private S6Sandbox sandbox() throws Exception {
        TemplatesFolder templates = new TemplatesFolder(root.resolve("templates"));
        templates.add("gateway");
        templates.add("worker@");
        return templates.sandbox(root.resolve("box"));
    }

    @Test
    void a_start_that_creates_an_instance_waits_for_its_supervisor_instead_of_warning() throws Exception {
        try (S6Sandbox box = sandbox()) {
            box.boot();
            box.awaitObserved("gateway", "up");
            for (String instance : List.of("worker@alpha", "worker@beta", "worker@gamma")) {
                S6Sandbox.Cli started = box.cli("start", instance, "--timeout", "20");
                assertEquals(0, started.exit(), started.toString());
                assertFalse(started.err().contains("no s6-supervise"), "a start that worked says so only: " + started);
                assertEquals("", started.err().strip(), started.toString());
            }
            assertFalse(box.log().contains("no s6-supervise serves"), box.log());
            assertFalse(box.log().contains("./down carries the intent"), box.log());
            assertFalse(box.log().lines().anyMatch(l -> l.contains(" WARN:")), "no warning: " + box.log());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void the_history_of_a_removed_instance_is_still_its_history() throws Exception {
        try (S6Sandbox box = sandbox()) {
            box.boot();
            assertEquals(0, box.cli("start", "worker@old", "--timeout", "20").exit());
            box.awaitObserved("worker@old", "up");
            assertEquals(0, box.cli("remove", "worker@old").exit());
            assertFalse(Files.exists(box.stateDir().resolve("worker@old.json")));

            S6Sandbox.Cli h = box.cli("history", "worker@old", "--json");
            assertEquals(0, h.exit(), h.toString());
            List<Object> records = (List<Object>) Json.parse(h.out().strip());
            List<Object> events = records.stream().map(o -> (Map<String, Object>) o)
                    .filter(r -> "worker@old".equals(r.get("service"))).map(r -> r.get("event")).toList();
            assertTrue(events.contains("instance-created") && events.contains("instance-removed"), events.toString());

            S6Sandbox.Cli never = box.cli("history", "worker@never");
            assertEquals(2, never.exit(), "a name the journal never recorded is unknown: " + never);
            assertTrue(never.err().contains("warden keeps no service 'worker@never'"), never.toString());
        }
    }
}

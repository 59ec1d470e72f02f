package io.warden.it;

import io.warden.json.Json;
import io.warden.s6.ServiceDirectory;
import io.warden.s6.SupervisorStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

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
        Files.createFile(templates.add("dashboard").resolve("down"));
        return templates.sandbox(root.resolve("box"));
    }

    private static SupervisorStatus awaitStatus(Path slot, String what, Predicate<SupervisorStatus> p)
            throws InterruptedException {
        ServiceDirectory dir = new ServiceDirectory(slot);
        S6Sandbox.await(slot.getFileName() + " " + what, Duration.ofSeconds(20), () -> {
            try {
                SupervisorStatus s = dir.readStatus();
                return s != null && p.test(s);
            } catch (java.io.IOException e) {
                return false;
            }
        });
        try {
            return dir.readStatus();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void a_run_that_started_and_ended_while_warden_was_down_is_journaled_at_the_next_boot() throws Exception {
        try (S6Sandbox box = sandbox()) {
            box.boot();
            box.awaitObserved("dashboard", "down");
            box.awaitObserved("gateway", "up");
            S6Sandbox.signal(box.warden().pid(), "TERM");
            S6Sandbox.waitGone(box.warden());

            // while no warden runs, someone starts dashboard by hand and kills it again (a run that exits 0 looks
            // in s6's status like one never started, so the test's run, which exits 0 on SIGTERM, gets SIGKILL)
            Path slot = box.scandir().resolve("dashboard");
            assertEquals(0, S6Sandbox.run("s6-svc", "-u", slot.toString()).exit());
            awaitStatus(slot, "up", s -> s.up());
            assertEquals(0, S6Sandbox.run("s6-svc", "-k", "-d", slot.toString()).exit());
            SupervisorStatus ended = awaitStatus(slot, "down after a run", s -> s.pid() == 0 && !s.wantUp()
                    && s.wstat() != 0);

            box.startWarden();
            S6Sandbox.Cli h = box.cli("history", "dashboard", "--json");
            assertEquals(0, h.exit(), h.toString());
            List<Map<String, Object>> exits = ((List<Object>) Json.parse(h.out().strip())).stream()
                    .map(o -> (Map<String, Object>) o)
                    .filter(r -> "dashboard".equals(r.get("service")) && "gateway-exit".equals(r.get("event")))
                    .toList();
            assertEquals(1, exits.size(), "the run no warden saw is in the history: " + h.out());
            assertEquals(true, exits.get(0).get("whileDown"), exits.toString());
            assertEquals("SIGKILL", exits.get(0).get("signal"), exits.toString());
            assertEquals(ended.stamp().toString(), exits.get(0).get("endedAt"), exits.toString());

            // the gateway ran on through warden's restart: adopted, no end recorded for it
            S6Sandbox.Cli g = box.cli("history", "gateway", "--json");
            assertFalse(g.out().contains("\"whileDown\""), g.out());
        }
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

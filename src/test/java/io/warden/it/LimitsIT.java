package io.warden.it;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The limit on the number of services, with real s6: a start that would create one more than
 * {@code WARDEN_MAX_SERVICES}, or than the scandir's s6-svscan can supervise ({@code -c}), is refused with
 * {@code too-many-services} (exit 5) and nothing is written; services beyond the limit at boot are kept and said.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LimitsIT {
    @TempDir
    Path root;
    TemplatesFolder templates;

    @BeforeEach
    void templates() throws IOException {
        templates = new TemplatesFolder(root.resolve("templates"));
        templates.add("gateway");
        templates.add("worker@");
    }

    @SuppressWarnings("unchecked")
    private static List<Object> degraded(Map<String, Object> status) {
        return (List<Object>) status.get("degraded");
    }

    private static void nothingWritten(S6Sandbox box, String name) throws IOException {
        assertFalse(Files.exists(box.stateDir().resolve(name + ".json")), "no state file for " + name);
        assertFalse(Files.exists(box.scandir().resolve(name)), "no slot for " + name);
        try (var files = Files.list(box.scandir())) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().contains(name)), "no build of " + name);
        }
        String journal = Files.readString(box.stateDir().resolve("journal.jsonl"));
        assertFalse(journal.contains(name), "no journal record of " + name + ": " + journal);
    }

    @Test
    void one_more_than_warden_max_services_is_refused_and_nothing_is_written() throws Exception {
        try (S6Sandbox box = templates.sandbox(root.resolve("box")).env("WARDEN_MAX_SERVICES", "3")) {
            box.boot();
            box.awaitObserved("gateway", "up");
            assertEquals(0, box.cli("start", "worker@one", "--timeout", "20").exit(), "the third service fits");
            assertEquals(0, box.cli("start", "worker@two", "--timeout", "20").exit(), "the third service fits");
            box.awaitObserved("worker@two", "up");

            S6Sandbox.Cli refused = box.cli("start", "worker@three", "--timeout", "20");
            assertEquals(5, refused.exit(), "refused: " + refused);
            assertTrue(refused.err().contains("[too-many-services]"), refused.err());
            assertTrue(refused.err().contains("cannot create worker@three: warden keeps 3 services, its limit "
                    + "(WARDEN_MAX_SERVICES=3); nothing was changed"), refused.err());
            nothingWritten(box, "worker@three");
            assertEquals(List.of("gateway", "worker@one", "worker@two"), List.copyOf(box.list().keySet()));
            assertEquals(0, box.cli("check").exit(), "a refused creation changes no health");

            // an existing service is no creation: it stays controllable at the limit
            assertEquals(0, box.cli("stop", "worker@one", "--timeout", "20").exit());
            assertEquals(0, box.cli("remove", "worker@one").exit());
            assertEquals(0, box.cli("start", "worker@three", "--timeout", "20").exit(), "room again after a remove");

            // a lower limit at the next boot drops nothing: every service is kept, and the boot says so
            box.containerStop(false);
            box.env("WARDEN_MAX_SERVICES", "2").boot();
            Map<String, Map<String, Object>> after = box.list();
            assertEquals(List.of("gateway", "worker@three", "worker@two"), List.copyOf(after.keySet()));
            box.awaitObserved("worker@three", "up");
            String said = "3 services are recorded or defined, more than WARDEN_MAX_SERVICES=2";
            assertTrue(degraded(after.get("gateway")).stream().anyMatch(p -> ((String) p).startsWith(said)),
                    "degraded: " + degraded(after.get("gateway")));
            assertTrue(box.log().contains(said), box.log());
            assertEquals(5, box.cli("start", "worker@four").exit());
            nothingWritten(box, "worker@four");
        }
    }

    @Test
    void the_scandirs_s6_svscan_bounds_it_too_and_the_boot_says_when_it_cannot_hold_them() throws Exception {
        try (S6Sandbox box = templates.sandbox(root.resolve("box")).supervisorOptions("-c", "4")) {
            box.startSupervisor();
            // another's service directory takes one of s6-svscan's 4 places
            Path other = Files.createDirectories(box.scandir().resolve("other"));
            Files.writeString(other.resolve("run"), "#!/bin/sh\nexec sleep 1000\n");
            other.resolve("run").toFile().setExecutable(true);
            Files.createFile(other.resolve("down"));
            box.startWarden();
            box.awaitObserved("gateway", "up");
            assertEquals(0, box.cli("start", "worker@one", "--timeout", "20").exit());
            assertEquals(0, box.cli("start", "worker@two", "--timeout", "20").exit());
            S6Sandbox.Cli refused = box.cli("start", "worker@three", "--timeout", "20");
            assertEquals(5, refused.exit(), "refused: " + refused);
            assertTrue(refused.err().contains("s6-svscan on the scandir supervises at most 4 service directories "
                    + "(-c 4), 1 of them taken by others"), refused.err());
            nothingWritten(box, "worker@three");

            // the next container's s6-svscan holds 2: warden keeps its 3 services and says they do not fit
            box.containerStop(false);
            box.supervisorOptions("-c", "2").boot();
            Map<String, Object> gw = box.list().get("gateway");
            String said = "supervises at most 2 service directories (-c 2)";
            assertTrue(degraded(gw).stream().anyMatch(p -> ((String) p).contains(said)), "degraded: " + degraded(gw));
            assertTrue(box.log().contains("start s6-svscan with -C or -c 3"), box.log());
            assertEquals(3, box.list().size(), "every service is kept");
            assertEquals(1, box.cli("check").exit(), "the one s6-svscan does not supervise is not up: unhealthy");
        }
    }
}

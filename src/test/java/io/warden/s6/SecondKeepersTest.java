package io.warden.s6;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecondKeepersTest {
    @TempDir
    Path root;

    private Path slot(String name, String run) throws Exception {
        Path dir = Files.createDirectories(root.resolve("scan/" + name));
        Files.writeString(dir.resolve("run"), run);
        return dir;
    }

    @Test
    void a_slot_running_a_kept_program_or_named_as_hermes_names_it_is_a_copy() throws Exception {
        Path template = Files.createDirectories(root.resolve("templates/gateway"));
        Files.writeString(template.resolve("run"), "#!/bin/sh\nexec hermes gateway\n");
        SecondKeepers keepers = new SecondKeepers(new Scandir(Files.createDirectories(root.resolve("scan"))));
        keepers.keep("gateway", template.resolve("run"));
        keepers.keep("worker@eu", null);
        slot("legacy-gw", "#!/bin/sh\nexec hermes gateway\n");
        slot("worker-eu", "something else");
        slot("unrelated", "#!/bin/sh\nexec other\n");
        Map<String, SecondKeepers.Copy> found = keepers.find();
        assertEquals(java.util.Set.of("legacy-gw", "worker-eu"), found.keySet());
        assertEquals("gateway", found.get("legacy-gw").service());
        assertEquals("worker@eu", found.get("worker-eu").service());
        assertFalse(found.get("legacy-gw").running(), "no supervisor: not running");
    }

    @Test
    void a_kept_service_s_program_is_read_once_when_it_becomes_kept() throws Exception {
        Path template = Files.createDirectories(root.resolve("templates/gateway"));
        Files.writeString(template.resolve("run"), "v1");
        SecondKeepers keepers = new SecondKeepers(new Scandir(Files.createDirectories(root.resolve("scan"))));
        keepers.keep("gateway", template.resolve("run"));
        // the definition changes on disk after it was read: the scan compares with what was read
        Files.writeString(template.resolve("run"), "v2");
        slot("copy", "v1");
        assertTrue(keepers.find().containsKey("copy"));
        keepers.forget("gateway");
        assertTrue(keepers.find().isEmpty(), "a service no longer kept has no copies");
    }
}

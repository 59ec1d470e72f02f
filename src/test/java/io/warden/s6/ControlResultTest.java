package io.warden.s6;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A control write says what became of it, as a value; nothing blocks when nobody listens. */
@Timeout(10)
class ControlResultTest {
    @TempDir
    Path scan;

    @Test
    void a_slot_that_is_not_in_the_scandir_is_no_directory() {
        ControlResult r = new Scandir(scan).service("gone").control("u", ProcessTable.system());
        assertEquals(ControlResult.Outcome.NO_DIRECTORY, r.outcome());
        assertFalse(r.sent());
        assertTrue(r.detail().contains("gone"), r.detail());
    }

    @Test
    void a_slot_no_supervisor_serves_is_not_supervised() throws Exception {
        Files.createDirectories(scan.resolve("idle/supervise"));
        ControlResult r = new Scandir(scan).service("idle").control("d", ProcessTable.system());
        assertEquals(ControlResult.Outcome.NOT_SUPERVISED, r.outcome());
        assertFalse(r.sent());
    }
}

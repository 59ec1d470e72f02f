package io.warden.s6;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** s6-rc's program stood in for by a shell: its time bound holds whatever it does with its output. */
class S6RcControlTest {
    private static S6RcControl program(String script) {
        // sh -c SCRIPT s6-rc ARGS...: the arguments s6-rc would get are the script's $1...
        return new S6RcControl(List.of("sh", "-c", script, "s6-rc"));
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void a_hung_program_with_its_output_open_ends_at_the_bound() {
        long t0 = System.nanoTime();
        IOException e = assertThrows(IOException.class,
                () -> program("echo starting; exec sleep 60").up("svc", 100));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(e.getMessage().contains("did not end within 5100 ms"), e.getMessage());
        assertTrue(ms < 10_000, "ended at its bound, not at the program's end: " + ms + " ms");
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void a_child_left_holding_the_output_does_not_hold_the_caller() throws Exception {
        long t0 = System.nanoTime();
        S6RcControl.Outcome o = program("echo failed to bring $5 up; sleep 5 & exit 3").up("svc", 100);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(3, o.exitCode());
        assertEquals("failed to bring svc up", o.output());
        assertTrue(ms < 5_000, "answered after the grace, not at the child's end: " + ms + " ms");
    }

    @Test
    void the_output_of_a_program_that_ends_is_its_answer() throws Exception {
        assertEquals(java.util.Set.of("a", "b"), program("printf 'a\\nb\\n'").active());
    }
}

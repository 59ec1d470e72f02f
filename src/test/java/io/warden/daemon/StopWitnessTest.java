package io.warden.daemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stop witness's file as the next boot reads it, including lines the final SIGKILL cut short. */
class StopWitnessTest {
    @TempDir
    Path dir;

    @Test
    void armed_and_never_seen_ending_is_forced_ended_is_not_sigkill_is() throws Exception {
        String at = "2026-11-30T07:00:00.123Z";
        Files.writeString(dir.resolve(StopWitness.FILE), String.join("\n",
                "armed " + at + " gateway 41",
                "armed " + at + " gateway@work 42",
                "armed " + at + " dashboard 43",
                "armed " + at + " worker 44",
                "ended " + at + " gateway@work 42 0 -1",
                "ended " + at + " dashboard 43 -1 9",
                "running " + at + " worker 44",
                "ended " + at + " gatew"));
        Map<String, StopWitness.Outcome> o = StopWitness.read(dir);
        assertTrue(o.get("gateway").forced(), "armed, never seen ending: still running at the final SIGKILL");
        assertFalse(o.get("gateway@work").forced(), "ended on its SIGTERM");
        assertTrue(o.get("dashboard").forced(), "s6 ended it with SIGKILL");
        assertFalse(o.get("worker").forced(), "still running long after: warden alone was stopped");
        assertEquals(at, o.get("gateway").at());
        StopWitness.forget(dir);
        assertEquals(Map.of(), StopWitness.read(dir));
    }

    @Test
    void lines_of_another_stop_do_not_count() throws Exception {
        Files.writeString(dir.resolve(StopWitness.FILE), "armed T1 gateway 41\nended T0 gateway 41 0 -1\n");
        assertTrue(StopWitness.read(dir).get("gateway").forced());
    }

    /**
     * The FIFO is opened only when it is a FIFO of warden's own: a symlink put in its place (to a file root would
     * otherwise write over at the stop) and a plain file are refused, and the file the symlink names is untouched.
     */
    @Test
    void only_a_fifo_of_wardens_own_is_opened() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "precious\n");
        Path fifo = dir.resolve("stop-witness.fifo");
        Files.createSymbolicLink(fifo, victim);
        java.io.IOException symlink = assertThrows(java.io.IOException.class,
                () -> StopWitness.openFifo(fifo));
        assertTrue(symlink.getMessage().contains("is not a FIFO"), symlink.getMessage());
        Files.delete(fifo);
        Files.writeString(fifo, "");
        assertThrows(java.io.IOException.class, () -> StopWitness.openFifo(fifo));
        Files.delete(fifo);
        Process mk = new ProcessBuilder("mkfifo", "-m", "0600", fifo.toString()).start();
        assertEquals(0, mk.waitFor());
        try (java.nio.channels.FileChannel ch = StopWitness.openFifo(fifo)) {
            assertTrue(ch.isOpen(), "warden's own FIFO opens");
        }
        assertEquals("precious\n", Files.readString(victim));
    }
}

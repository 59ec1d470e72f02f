package io.warden.s6;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SvscanCapacityTest {
    private static final String DEBIAN = "/usr/bin/s6-svscan";
    private static final String OVERLAY_315 = "/package/admin/s6-2.15.0.0/command/s6-svscan";
    private static final String OVERLAY_320 = "/package/admin/s6-2.13.1.0/command/s6-svscan";
    private static final String OLD_OVERLAY = "/package/admin/s6-2.11.3.2/command/s6-svscan";

    private static int max(String exe, String... argv) {
        return SvscanCapacity.parse(1, List.of(argv), exe).max();
    }

    @Test
    void withoutAnOptionTheVersionsDefault() {
        // s6-overlay's own command line: s6-svscan -d4 -- /run/service
        assertEquals(1000, max(OVERLAY_315, "s6-svscan", "-d4", "--", "/run/service"));
        assertEquals(1000, max(OVERLAY_320, "s6-svscan", "-d4", "--", "/run/service"));
        assertEquals(500, max(OLD_OVERLAY, "s6-svscan", "-d4", "--", "/run/service"));
        assertEquals(500, max(DEBIAN, "s6-svscan", "/run/service"));
        assertTrue(SvscanCapacity.parse(1, List.of("s6-svscan", "/x"), "").source().contains("cannot be told"));
    }

    @Test
    void theOptionGivenWinsInEveryForm() {
        assertEquals(6000, max(OVERLAY_315, "s6-svscan", "-C", "6000", "-d4", "--", "/run/service"));
        assertEquals(6000, max(OVERLAY_315, "s6-svscan", "-d4", "-C6000", "/run/service"));
        assertEquals(5064, max(DEBIAN, "s6-svscan", "-c", "5064", "--", "/run/service"));
        assertEquals(700, max(DEBIAN, "s6-svscan", "-t500", "-c700", "/run/service"));
        // an option's argument is not an option: -d's is "c", and -X's is the word after it
        assertEquals(500, max(DEBIAN, "s6-svscan", "-dc", "/run/service"));
        assertEquals(500, max(DEBIAN, "s6-svscan", "-X", "-c9", "/run/service"));
        // after -- or the scandir, nothing is an option
        assertEquals(1000, max(OVERLAY_315, "s6-svscan", "--", "-C", "6000"));
        assertEquals("-C 6000", SvscanCapacity.parse(1, List.of("s6-svscan", "-C", "6000"), "").source());
        // the last one given counts, as with getopt
        assertEquals(800, max(OVERLAY_315, "s6-svscan", "-C", "6000", "-c", "800", "/run/service"));
    }

    @Test
    void aNumberThatIsNoneGivesTheDefault() {
        assertEquals(500, max(DEBIAN, "s6-svscan", "-c", "many", "/run/service"));
        assertEquals(1000, max(OVERLAY_315, "s6-svscan", "-C", "0", "/run/service"));
    }

    @Test
    void readFromProc(@TempDir Path proc) throws IOException {
        Path one = Files.createDirectories(proc.resolve("1"));
        Files.writeString(one.resolve("comm"), "s6-svscan\n");
        Files.write(one.resolve("cmdline"), "s6-svscan\0-C\0006000\0-d4\0--\0/run/service\0".getBytes());
        Files.createSymbolicLink(one.resolve("exe"), Path.of(OVERLAY_315));
        ProcessTable procs = new ProcessTable(proc);
        SvscanCapacity c = SvscanCapacity.of(procs, SupervisorKind.S6_OVERLAY, Path.of("/run/service"));
        assertEquals(new SvscanCapacity(1, 6000, "-C 6000"), c);
        Files.write(one.resolve("cmdline"), "s6-svscan\0-d4\0--\0/run/service\0".getBytes());
        assertEquals(1000, SvscanCapacity.of(procs, SupervisorKind.S6_OVERLAY, Path.of("/run/service")).max());
        assertNull(SvscanCapacity.of(procs, SupervisorKind.NONE, Path.of("/run/service")));
        Files.delete(one.resolve("cmdline"));
        assertNull(SvscanCapacity.of(procs, SupervisorKind.S6_OVERLAY, Path.of("/run/service")));
    }
}

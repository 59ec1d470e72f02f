package io.warden.s6;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A crashed warden's leftovers in the scandir go in one pass at boot; the slots of services stay. */
class ScandirTest {
    @TempDir
    Path dir;

    @Test
    void leftoversAndStagingGoInOnePassAndServicesStay() throws IOException {
        Files.createDirectories(dir.resolve(".s6-svscan"));
        Files.createDirectories(dir.resolve("gw@a"));
        Files.createDirectories(dir.resolve(".gw@b" + ServiceDirectory.REMOVED_MARK + "123/supervise"));
        Files.createDirectories(dir.resolve(".gw@a.warden-4242"));
        Scandir scandir = new Scandir(dir);
        ServiceDirectory a = scandir.service("gw@a");

        assertEquals(List.of(".gw@b" + ServiceDirectory.REMOVED_MARK + "123"), scandir.removeLeftovers(),
                "the removed slot is named, the staging directory is not a removal");
        assertFalse(Files.exists(dir.resolve(".gw@a.warden-4242")), "a crashed run's staging directory is gone");
        assertTrue(Files.isDirectory(dir.resolve("gw@a")));
        assertTrue(Files.isDirectory(dir.resolve(".s6-svscan")));
        a.removeStaleStaging();
        assertTrue(Files.isDirectory(dir.resolve("gw@a")));
    }

    @Test
    void aServiceStillSweepsItsOwnWhenTheScandirWasNot() throws IOException {
        Files.createDirectories(dir.resolve(".gw@a.warden-4242"));
        Files.createDirectories(dir.resolve(".gw@b.warden-4242"));
        new Scandir(dir).service("gw@a").removeStaleStaging();
        assertFalse(Files.exists(dir.resolve(".gw@a.warden-4242")));
        assertTrue(Files.exists(dir.resolve(".gw@b.warden-4242")), "another service's is left to it");
    }
}

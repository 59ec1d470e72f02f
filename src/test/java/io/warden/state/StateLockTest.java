package io.warden.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StateLockTest {
    @TempDir
    Path dir;

    @Test
    void second_acquire_on_the_same_directory_is_refused_naming_it() throws IOException {
        try (StateLock first = StateLock.acquire(dir)) {
            StateLock.StateLockedException e = assertThrows(StateLock.StateLockedException.class,
                    () -> StateLock.acquire(dir));
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()),
                    "names the holder: " + e.getMessage());
        }
    }

    @Test
    void lock_file_holds_the_pid_and_the_lock_is_free_again_after_close() throws IOException {
        StateLock first = StateLock.acquire(dir);
        assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(dir.resolve(StateLock.FILE)));
        first.close();
        try (StateLock again = StateLock.acquire(dir)) {
            assertTrue(Files.exists(dir.resolve(StateLock.FILE)));
        }
    }

    @Test
    void a_new_lock_file_is_readable_by_its_owner_only() throws IOException {
        try (StateLock l = StateLock.acquire(dir)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(StateLock.FILE))));
        }
    }

    @Test
    void a_legacy_world_readable_lock_file_is_replaced_by_a_fresh_0600_inode() throws IOException {
        Path file = dir.resolve(StateLock.FILE);
        Files.writeString(file, "1\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Object before = Files.getAttribute(file, "unix:ino");
        try (StateLock l = StateLock.acquire(dir)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertNotEquals(before, Files.getAttribute(file, "unix:ino"),
                    "whoever holds the old inode open holds nothing warden uses");
        }
    }

    @Test
    void a_reader_of_a_legacy_lock_file_holding_a_shared_lock_does_not_block_the_start() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path file = dir.resolve(StateLock.FILE);
        Files.writeString(file, "1\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Process nobody = LegacyLockReader.start(file);
        try {
            try (StateLock l = StateLock.acquire(dir)) {
                assertTrue(nobody.isAlive(), "the reader still holds its lock on the old inode");
            }
        } finally {
            nobody.destroyForcibly().waitFor();
        }
    }

    @Test
    void a_holder_that_is_not_a_warden_daemon_is_never_named() {
        LockHolders procs = LockHolders.system();
        assertFalse(procs.isWardenDaemon(1), "pid 1 is no warden daemon");
        assertTrue(procs.isWardenDaemon(ProcessHandle.current().pid()));
    }
}

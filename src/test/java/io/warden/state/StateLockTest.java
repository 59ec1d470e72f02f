package io.warden.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}

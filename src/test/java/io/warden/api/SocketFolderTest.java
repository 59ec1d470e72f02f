package io.warden.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The socket's folder is warden's own or not used (runs as root, as CI does: it makes files of nobody's). */
class SocketFolderTest {
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1234), ZoneOffset.UTC);

    @TempDir
    Path tmp;

    private SocketFolder folder(Path p) throws Exception {
        return new SocketFolder(p, SocketFolder.effectiveUid(), CLOCK);
    }

    @Test
    void a_missing_folder_is_made_0755_with_its_parents() throws Exception {
        Path f = tmp.resolve("a/b/warden");
        folder(f).secure();
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(f, LinkOption.NOFOLLOW_LINKS)));
        folder(f).secure(); // and taken as it is the next time
    }

    @Test
    void a_symlink_of_another_user_is_moved_aside_and_its_target_untouched() throws Exception {
        // a parent every user may write, as a world-writable /run: where another user can make it first
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path target = Files.createDirectory(tmp.resolve("elsewhere"));
        Path f = Files.createSymbolicLink(tmp.resolve("warden"), target);
        Files.setAttribute(f, "unix:uid", 65534, LinkOption.NOFOLLOW_LINKS);
        folder(f).secure();
        assertTrue(Files.isSymbolicLink(tmp.resolve("warden.untrusted-1234")), "kept aside as it was");
        assertTrue(Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS), "a folder of warden's own in its place");
        assertEquals(0, Files.list(target).count());
    }

    @Test
    void a_symlink_or_file_of_wardens_own_user_is_refused_not_followed() throws Exception {
        Path target = Files.createDirectory(tmp.resolve("elsewhere"));
        Path link = Files.createSymbolicLink(tmp.resolve("warden"), target);
        SocketFolder.UntrustedFolderException e = assertThrows(SocketFolder.UntrustedFolderException.class,
                () -> folder(link).secure());
        assertTrue(e.getMessage().contains("is not a directory (a symlink)"), e.getMessage());
        Path file = Files.writeString(tmp.resolve("file"), "");
        e = assertThrows(SocketFolder.UntrustedFolderException.class, () -> folder(file).secure());
        assertTrue(e.getMessage().contains("is not a directory (a regular file)"), e.getMessage());
    }

    @Test
    void a_folder_its_group_may_write_is_refused() throws Exception {
        Path f = Files.createDirectory(tmp.resolve("warden"));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxrwxr-x"));
        SocketFolder.UntrustedFolderException e = assertThrows(SocketFolder.UntrustedFolderException.class,
                () -> folder(f).secure());
        assertTrue(e.getMessage().contains("(mode 0775)"), e.getMessage());
    }

    /** Another user's folder where no other user could have made it (a 0755 parent): chosen so, never moved. */
    @Test
    void another_users_folder_in_a_parent_only_root_writes_is_refused_not_moved() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path f = Files.createDirectory(tmp.resolve("alice"));
        Files.setAttribute(f, "unix:uid", 65534);
        SocketFolder.UntrustedFolderException e = assertThrows(SocketFolder.UntrustedFolderException.class,
                () -> folder(f).secure());
        assertTrue(e.getMessage().contains("belongs to uid 65534") && e.getMessage().contains("refusing to use it or to move it"),
                e.getMessage());
        assertEquals(65534, Files.getAttribute(f, "unix:uid"), "left where and as it was");
    }
}

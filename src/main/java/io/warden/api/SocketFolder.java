package io.warden.api;

import org.tinylog.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Map;

/**
 * The folder that holds warden's socket and the stop witness's FIFO, used only when no other user can change what
 * is in it, as s6 and systemd treat their runtime folders. Where another user can create it first (a world-writable
 * {@code /run}, as a Kubernetes {@code emptyDir} is), that user's folder would let them swap a file warden opens
 * for a symlink, or put a socket of their own in warden's place. So, before warden binds:
 * <ul>
 * <li>every folder above it must belong to root or to warden's own uid (the owner of a folder can rename what is
 * in it); one that belongs to another user is refused;</li>
 * <li>a folder that is not there is made, mode 0755, by {@code mkdir} (which never follows a symlink);</li>
 * <li>one that belongs to another user (of any type: folder, symlink, file) in a folder that others may write
 * (where that user could make it first) is moved aside, renamed {@code NAME.untrusted-MILLIS}, untouched, and
 * warden makes its own: root may always rename it, and another user's folder must not keep warden from starting;
 * in a folder only root or warden may write, root gave it that owner on purpose (a home directory): refused,
 * never moved;</li>
 * <li>one of warden's own uid that is not a plain folder (a symlink, a file), or that its group or other users
 * may write, is refused with a message saying why: it was made so on purpose (or is a shared folder such as
 * {@code /tmp}) and is not warden's to change.</li>
 * </ul>
 * Limit: a folder above that every user may write and that has no sticky bit (mode 0777) lets another user
 * rename warden's folder away while warden runs; the command line then refuses to believe whatever answers in
 * its place ({@code SO_PEERCRED}, {@code io.warden.cli.DaemonIdentity}), and the witness's FIFO is opened without
 * following a symlink.
 */
public final class SocketFolder {
    private static final int GROUP_OR_OTHER_WRITE = 0022;
    private static final int TYPE_MASK = 0170000;
    private static final int DIRECTORY = 0040000;

    private final Path folder;
    private final int uid;
    private final Clock clock;

    /** @param uid warden's effective uid, the one its folder must belong to */
    public SocketFolder(Path folder, int uid, Clock clock) {
        this.folder = folder.toAbsolutePath().normalize();
        this.uid = uid;
        this.clock = clock;
    }

    /** The folder of this process's socket path, for this process's uid. */
    public static SocketFolder of(Path socket) throws IOException {
        return new SocketFolder(socket.toAbsolutePath().normalize().getParent(), effectiveUid(), Clock.systemUTC());
    }

    public Path path() {
        return folder;
    }

    /** Makes sure the folder is warden's own, as the class says; throws with the reason when it cannot be. */
    public void secure() throws IOException {
        Path above = folder.getParent();
        if (above != null) {
            Files.createDirectories(above);
            checkAncestors(above.toRealPath());
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            Map<String, Object> a = attributes(folder);
            if (a == null) {
                if (create()) return;
                continue; // someone made it in between: judge what is there now
            }
            int owner = (Integer) a.get("uid");
            int mode = (Integer) a.get("mode");
            if (owner != uid) {
                moveAside(owner, mode, above);
                continue;
            }
            if ((mode & TYPE_MASK) != DIRECTORY) {
                throw new UntrustedFolderException("the socket folder " + folder + " is not a directory ("
                        + typeOf(mode) + "); warden needs a folder of its own there");
            }
            if ((mode & GROUP_OR_OTHER_WRITE) != 0) {
                throw new UntrustedFolderException("the socket folder " + folder + " may be written by its group or "
                        + "by every user (mode " + octal(mode) + "): another user could replace warden's socket; "
                        + "give warden a folder only its own user may write (mode 0755), such as the default "
                        + "/run/warden");
            }
            return;
        }
        throw new UntrustedFolderException("the socket folder " + folder + " kept being replaced while warden made "
                + "its own; refusing to use it");
    }

    private void checkAncestors(Path real) throws IOException {
        for (Path p = real; p != null; p = p.getParent()) {
            int owner = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (owner != 0 && owner != uid) {
                throw new UntrustedFolderException(p + " (above the socket folder " + folder + ") belongs to uid "
                        + owner + ", who could replace warden's socket folder; put the socket under folders of root "
                        + "or of warden's own user");
            }
        }
    }

    /** mkdir with mode 0755 (whatever the umask), then checked: true when the folder is now warden's. */
    private boolean create() throws IOException {
        try {
            Files.createDirectory(folder);
        } catch (FileAlreadyExistsException e) {
            return false;
        }
        // fchmod on a descriptor opened without following a symlink: never the mode of something else
        Files.getFileAttributeView(folder, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setPermissions(PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, Object> a = attributes(folder);
        return a != null && (Integer) a.get("uid") == uid && ((Integer) a.get("mode") & TYPE_MASK) == DIRECTORY
                && ((Integer) a.get("mode") & GROUP_OR_OTHER_WRITE) == 0;
    }

    private void moveAside(int owner, int mode, Path above) throws IOException {
        int aboveMode = above == null ? 0 : (Integer) Files.getAttribute(above, "unix:mode");
        if ((aboveMode & GROUP_OR_OTHER_WRITE) == 0) {
            // no other user could have made it there: root gave it this owner on purpose
            throw new UntrustedFolderException("the socket folder " + folder + " belongs to uid " + owner + " ("
                    + typeOf(mode) + ", mode " + octal(mode) + "), not to warden; refusing to use it or to move it: "
                    + "give warden a folder of its own, such as the default /run/warden");
        }
        Path aside = folder.resolveSibling(folder.getFileName() + ".untrusted-" + clock.millis());
        try {
            // rename(2): moves the name, never follows it
            Files.move(folder, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UntrustedFolderException("the socket folder " + folder + " belongs to uid " + owner + " ("
                    + typeOf(mode) + ", mode " + octal(mode) + ") and cannot be moved aside (" + e.getMessage()
                    + "); refusing to use it");
        }
        Logger.warn("the socket folder {} belonged to uid {} ({}, mode {}), not to warden: moved aside to {}, "
                + "untouched; warden makes its own", folder, owner, typeOf(mode), octal(mode), aside);
    }

    private static Map<String, Object> attributes(Path p) throws IOException {
        try {
            return Files.readAttributes(p, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    static String typeOf(int mode) {
        switch (mode & TYPE_MASK) {
            case DIRECTORY: return "a directory";
            case 0120000: return "a symlink";
            case 0100000: return "a regular file";
            case 0140000: return "a socket";
            case 0010000: return "a FIFO";
            default: return "a special file";
        }
    }

    private static String octal(int mode) {
        return String.format("%04o", mode & 07777);
    }

    /** This process's effective uid, from {@code /proc/self/status} (the JDK has no call for it). */
    public static int effectiveUid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.ISO_8859_1)) {
            if (line.startsWith("Uid:")) return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
        }
        throw new IOException("no Uid line in /proc/self/status");
    }

    /** The socket folder cannot be made warden's own; the message says why and what to do. */
    public static final class UntrustedFolderException extends IOException {
        private static final long serialVersionUID = 1L;

        public UntrustedFolderException(String message) {
            super(message);
        }
    }
}

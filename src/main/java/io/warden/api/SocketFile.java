package io.warden.api;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The socket's place in the file system: a parent directory of warden's own ({@link SocketFolder}), a stale
 * socket from a dead daemon replaced, a live one (something answers a connect) a reason to refuse to start. The socket is 0666: reading is
 * open to every local user and the daemon checks each peer's credentials before changing anything.
 */
public final class SocketFile {
    private final Path path;

    public SocketFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    void prepare() throws IOException {
        // a folder only warden's user may write: nothing in it can be swapped or faked by another user
        SocketFolder.of(path).secure();
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        if (!isSocket(path)) {
            throw new SocketInUseException(path + " exists and is not a socket; refusing to replace it");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            throw new SocketInUseException("another warden daemon answers on " + path + "; refusing to start a second one");
        } catch (SocketInUseException e) {
            throw e;
        } catch (IOException e) {
            // nobody listens: a dead daemon's socket
            Files.deleteIfExists(path);
        }
    }

    private static boolean isSocket(Path p) {
        try {
            Object mode = Files.getAttribute(p, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            return mode instanceof Integer && ((Integer) mode & 0170000) == 0140000;
        } catch (IOException | UnsupportedOperationException e) {
            // a file whose type cannot be read is not known to be a socket, so it is not replaced
            return false;
        }
    }

    void openUp() throws IOException {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw-rw-"));
    }

    void remove() throws IOException {
        Files.deleteIfExists(path);
    }

    /** The socket path is held by a live daemon or by something that is not a socket. */
    public static final class SocketInUseException extends IOException {
        private static final long serialVersionUID = 1L;

        public SocketInUseException(String message) {
            super(message);
        }
    }
}

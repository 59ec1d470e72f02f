package io.warden.s6;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The directory s6-svscan watches ({@code /run/service}). */
public final class Scandir {
    private final Path dir;

    public Scandir(Path dir) {
        this.dir = dir;
    }

    public Path path() {
        return dir;
    }

    public ServiceDirectory service(String name) {
        return new ServiceDirectory(dir.resolve(name), () -> swept);
    }

    /**
     * Asks s6-svscan to rescan ({@code s6-svscanctl -a}). The FIFO is opened read-write, which Linux never blocks
     * on (fifo(7)), so this stays in plain Java: if no s6-svscan reads, the byte is simply dropped, and that is
     * harmless because a scanner that starts later scans anyway. Returns false when there is no control FIFO.
     */
    public boolean rescan() throws IOException {
        return command("a");
    }

    /**
     * {@code s6-svscanctl -an}: rescan, and end the supervisors of slots that are gone from the scandir (how s6
     * removes a service). Returns false when there is no control FIFO.
     */
    public boolean rescanAndReap() throws IOException {
        return command("an");
    }

    /**
     * Deletes the slots of removed instances that an earlier warden run renamed aside, and the staging directories
     * a crashed one left; returns the names of the slots. One pass over the scandir: a pass per service, as each
     * service's boot used to make for its own staging directories, made a boot on 5,000 services quadratic.
     */
    public java.util.List<String> removeLeftovers() throws IOException {
        java.util.List<String> gone = new java.util.ArrayList<>();
        if (!Files.isDirectory(dir)) return gone;
        try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(dir, ".*.warden-*")) {
            for (Path p : ds) {
                ServiceDirectory.deleteTree(p);
                if (p.getFileName().toString().contains(ServiceDirectory.REMOVED_MARK)) gone.add(p.getFileName().toString());
            }
        }
        swept = true;
        return gone;
    }

    /** Set once {@link #removeLeftovers} has swept the scandir: a service's own look for staging leftovers is moot. */
    private volatile boolean swept;

    private boolean command(String letters) throws IOException {
        Path control = dir.resolve(".s6-svscan/control");
        if (!Files.exists(control)) return false;
        try (FileChannel ch = FileChannel.open(control, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(letters.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        }
        return true;
    }
}

package io.warden.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Who holds a lock on a file, from {@code /proc/locks} (POSIX, OFD and flock locks alike), and whether a holder
 * is a warden daemon: a process of warden's own user whose command line runs warden's {@code daemon}. The pid
 * written inside the lock file is never trusted for this; the kernel's table is.
 */
final class LockHolders {
    private final Path proc;

    public LockHolders(Path proc) {
        this.proc = proc;
    }

    public static LockHolders system() {
        return new LockHolders(Path.of("/proc"));
    }

    public record Holder(long pid, String type) {
    }

    /** The processes holding a lock on inode {@code ino} (any device: inode clashes only make warden cautious). */
    public List<Holder> of(long ino) {
        List<Holder> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(proc.resolve("locks"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            // no /proc/locks: nobody can be named, and the caller then assumes a warden
            return out;
        }
        for (String line : lines) {
            // "1: POSIX  ADVISORY  READ  1234 08:01:123456 0 EOF", or "1: -> POSIX ..." for a waiter
            String[] f = line.trim().split("\\s+");
            if (f.length < 6 || f[1].equals("->")) continue;
            String[] dev = f[5].split(":");
            if (dev.length != 3) continue;
            try {
                if (Long.parseLong(dev[2]) == ino) out.add(new Holder(Long.parseLong(f[4]), f[1]));
            } catch (NumberFormatException e) {
                // an OFD lock has pid -1 or a line format this kernel does not share: not a holder we can name
            }
        }
        return out;
    }

    public boolean isWardenDaemon(long pid) {
        if (pid == ProcessHandle.current().pid()) return true;
        if (pid <= 0 || !ownUid().equals(uidOf(pid))) return false;
        try {
            String cmd = new String(Files.readAllBytes(proc.resolve(pid + "/cmdline")), StandardCharsets.UTF_8);
            List<String> args = List.of(cmd.split("\0"));
            boolean warden = args.stream().anyMatch(a -> a.endsWith("warden.jar") || a.equals("io.warden.cli.Main"));
            return warden && args.contains("daemon");
        } catch (IOException e) {
            // the holder ended while we looked
            return false;
        }
    }

    /** The real uid of a process, or null when it is gone. */
    public Integer uidOf(long pid) {
        try {
            for (String line : Files.readAllLines(proc.resolve(pid + "/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("Uid:")) return Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
            }
        } catch (IOException | RuntimeException e) {
            // gone, or a status this parser does not know: unknown
        }
        return null;
    }

    static Integer ownUid() {
        return new LockHolders(Path.of("/proc")).uidOf(ProcessHandle.current().pid());
    }
}

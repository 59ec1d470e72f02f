package io.warden.daemon;

import org.tinylog.Logger;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sees how the services that were up at warden's SIGTERM actually end. In a container stop warden goes first (its
 * s6-rc service), the services' slots get their SIGTERM only afterwards, and whatever still runs at the end of
 * {@code S6_KILL_GRACETIME} is SIGKILLed with every other process; warden is gone by then. So warden keeps a
 * small witness: a shell started at boot that ignores SIGTERM and waits on a FIFO from warden. At warden's signal
 * the runs still up are written to that pipe ({@link #arm}); the witness notes each run's end in {@value #FILE} on
 * the state volume and dies with the rest at the final SIGKILL. A warden that ends without arming it (killed, or
 * nothing up) closes its end of the FIFO and the witness exits. Starting it at boot keeps a process spawn off the signal path.
 * At the next boot a run that was armed and never seen to end was still running when everything was killed: its
 * {@code signal} cause is marked {@code forcedKill}. A run that s6 ended with SIGKILL itself (the stand-in's last
 * step, a stop's {@code timeout-kill}) is seen with signal 9.
 *
 * <p>File format, one line per fact, appended by the witness: {@code armed AT NAME PID},
 * {@code ended AT NAME PID EXITCODE SIGNUM} (from {@code s6-svstat}; {@code unknown} when its slot is gone),
 * {@code running AT NAME PID} (still up after {@value #BOUND_SECONDS} s: not a container stop, warden alone was
 * stopped). {@code AT} is the instant of warden's signal, as its causes record it.
 */
final class StopWitness implements Witness {
    static final String FILE = "stop-witness";
    static final int BOUND_SECONDS = 60;

    private static final String SCRIPT = String.join("\n",
            "trap '' TERM INT HUP",
            "file=$1 scandir=$2",
            // warden writes one line when it is signalled: the instant, then NAME PID pairs; EOF: nothing to see
            "read -r at runs || exit 0",
            "[ -n \"$at\" ] || exit 0",
            "set -- $runs",
            "left=",
            "while [ $# -ge 2 ]; do",
            "  printf 'armed %s %s %s\\n' \"$at\" \"$1\" \"$2\" >> \"$file\"",
            "  left=\"$left $1:$2\"",
            "  shift 2",
            "done",
            "deadline=$(( $(date +%s) + " + BOUND_SECONDS + " ))",
            "while [ -n \"$left\" ]; do",
            "  still=",
            "  for e in $left; do",
            "    name=${e%:*} pid=${e##*:}",
            "    if kill -0 \"$pid\" 2>/dev/null; then still=\"$still $e\"; continue; fi",
            "    st=$(s6-svstat -o exitcode,signum \"$scandir/$name\" 2>/dev/null)",
            "    printf 'ended %s %s %s %s\\n' \"$at\" \"$name\" \"$pid\" \"${st:-unknown}\" >> \"$file\"",
            "  done",
            "  left=$still",
            "  [ -n \"$left\" ] || break",
            "  if [ \"$(date +%s)\" -ge \"$deadline\" ]; then",
            "    for e in $left; do printf 'running %s %s %s\\n' \"$at\" \"${e%:*}\" \"${e##*:}\" >> \"$file\"; done",
            "    break",
            "  fi",
            "  sleep 0.05",
            "done",
            "");

    /** How one armed run ended, as the witness saw it. */
    record Outcome(String at, long pid, boolean seenEnding, boolean killedBySigkill, boolean stillRunning) {
        /** Still running when everything was killed, or killed by SIGKILL: it ignored its SIGTERM. */
        boolean forced() {
            return killedBySigkill || (!seenEnding && !stillRunning);
        }
    }

    private final FileChannel pipe;

    private StopWitness(FileChannel pipe) {
        this.pipe = pipe;
    }

    /**
     * Starts the idle witness (at boot), talking to it through a FIFO in {@code fifoDir} (warden's socket directory,
     * a tmpfs). The witness runs in the background of a shell that exits at once: a child of warden's JVM still
     * running when the JVM exits makes that exit about 0.3 s slower, and warden's exit is on a container stop's
     * path. The witness blocks opening the FIFO until warden opens it (read-write, which never blocks), then
     * unlinks it; when warden's end of it closes without a line, the witness sees end of file and exits. Null when
     * the witness cannot run, logged: only a later "forced" detail is lost, never a cause.
     */
    static StopWitness start(Path stateDir, Path scandir, Path fifoDir) {
        Path fifo = fifoDir.resolve("stop-witness.fifo");
        try {
            Files.deleteIfExists(fifo);
            Process p = new ProcessBuilder("sh", "-c", "mkfifo -m 0600 \"$3\" || exit 1\n"
                    + "(\nexec <\"$3\"\nrm -f \"$3\"\n" + SCRIPT + ") >/dev/null 2>&1 &\n",
                    "warden-stop-witness", stateDir.resolve(FILE).toString(), scandir.toString(), fifo.toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("its launcher did not return within 5 s");
            }
            if (p.exitValue() != 0) throw new IOException("mkfifo " + fifo + " failed");
            return new StopWitness(openFifo(fifo));
        } catch (IOException e) {
            Logger.warn("cannot start the stop witness ({}): a run SIGKILLed at the end of a container stop will show"
                    + " only its signal cause", e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * The FIFO the launcher made, opened without following a symlink and only when it is a FIFO of warden's own
     * uid, the same one before and after the open: whatever else stands at that name is refused, so warden never
     * writes its line into a file someone put there (its folder is warden's own, {@code SocketFolder}; this holds
     * even if that folder were renamed away under it).
     */
    static FileChannel openFifo(Path fifo) throws IOException {
        Object before = fifoKey(fifo);
        FileChannel ch = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE,
                java.nio.file.LinkOption.NOFOLLOW_LINKS);
        try {
            if (!before.equals(fifoKey(fifo))) throw new IOException(fifo + " was replaced while it was opened");
            return ch;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    private static Object fifoKey(Path fifo) throws IOException {
        Map<String, Object> a = Files.readAttributes(fifo, "unix:mode,uid,ino,dev", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        if ((mode & 0170000) != 0010000) throw new IOException(fifo + " is not a FIFO (mode " + Integer.toOctalString(mode) + ")");
        if ((Integer) a.get("uid") != io.warden.api.SocketFolder.effectiveUid()) {
            throw new IOException(fifo + " belongs to uid " + a.get("uid") + ", not to warden");
        }
        return List.of(a.get("dev"), a.get("ino"));
    }

    /** At warden's signal: the runs still up (service name to pid), stamped {@code at}; the witness takes over. */
    @Override
    public void arm(String at, Map<String, Long> runs) {
        StringBuilder line = new StringBuilder(at);
        for (Map.Entry<String, Long> e : runs.entrySet()) line.append(' ').append(e.getKey()).append(' ').append(e.getValue());
        try {
            if (!runs.isEmpty()) pipe.write(java.nio.ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII)));
            pipe.close();
        } catch (IOException e) {
            // the witness is gone (killed with the container's processes?): the causes are already durable
            Logger.warn("the stop witness is not there to arm ({}): a forced kill of this stop will not be noted",
                    e.getMessage());
        }
    }

    /** What the last witness saw, by service; empty when there is no file. Unparsable lines are skipped. */
    static Map<String, Outcome> read(Path stateDir) {
        List<String> lines;
        try {
            lines = Files.readAllLines(stateDir.resolve(FILE), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            Logger.warn("cannot read {}: {}", stateDir.resolve(FILE), e.getMessage());
            return Map.of();
        }
        Map<String, Outcome> out = new HashMap<>();
        for (String line : lines) {
            String[] f = line.trim().split(" +");
            if (f.length < 4) continue;
            long pid;
            try {
                pid = Long.parseLong(f[3]);
            } catch (NumberFormatException e) {
                continue; // a line cut short by the final SIGKILL
            }
            String name = f[2];
            Outcome o = out.get(name);
            switch (f[0]) {
                case "armed":
                    out.put(name, new Outcome(f[1], pid, false, false, false));
                    break;
                case "ended":
                    if (o != null && o.pid() == pid && o.at().equals(f[1])) {
                        boolean sigkill = f.length >= 6 && f[5].equals("9");
                        out.put(name, new Outcome(o.at(), pid, true, sigkill, false));
                    }
                    break;
                case "running":
                    if (o != null && o.pid() == pid && o.at().equals(f[1])) {
                        out.put(name, new Outcome(o.at(), pid, false, false, true));
                    }
                    break;
                default:
                    break;
            }
        }
        return out;
    }

    /** Removes the file once the boot has used it. */
    static void forget(Path stateDir) {
        try {
            Files.deleteIfExists(stateDir.resolve(FILE));
        } catch (IOException e) {
            Logger.warn("cannot remove {}: {}", stateDir.resolve(FILE), e.getMessage());
        }
    }
}

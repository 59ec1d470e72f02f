package io.warden.daemon;

import org.tinylog.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sees how the services that were up at warden's SIGTERM actually end. In a container stop warden goes first (its
 * s6-rc service), the services' slots get their SIGTERM only afterwards, and whatever still runs at the end of
 * {@code S6_KILL_GRACETIME} is SIGKILLed with every other process; warden is gone by then. So at its signal warden
 * leaves a small witness: a shell that ignores SIGTERM, notes each run's end in {@value #FILE} on the state volume,
 * and dies with the rest at the final SIGKILL. At the next boot a run that was armed and never seen to end was
 * still running when everything was killed: its {@code signal} cause is marked {@code forcedKill}. A run that
 * s6 ended with SIGKILL itself (the stand-in's last step, a stop's {@code timeout-kill}) is seen with signal 9.
 *
 * <p>File format, one line per fact, appended by the witness: {@code armed AT NAME PID},
 * {@code ended AT NAME PID EXITCODE SIGNUM} (from {@code s6-svstat}; {@code unknown} when its slot is gone),
 * {@code running AT NAME PID} (still up after {@value #BOUND_SECONDS} s: not a container stop, warden alone was
 * stopped). {@code AT} is the instant of warden's signal, as its causes record it.
 */
final class StopWitness {
    static final String FILE = "stop-witness";
    static final int BOUND_SECONDS = 60;

    private static final String SCRIPT = String.join("\n",
            "trap '' TERM INT HUP",
            "file=$1 at=$2 scandir=$3",
            "shift 3",
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

    private StopWitness() {
    }

    /** How one armed run ended, as the witness saw it. */
    record Outcome(String at, long pid, boolean seenEnding, boolean killedBySigkill, boolean stillRunning) {
        /** Still running when everything was killed, or killed by SIGKILL: it ignored its SIGTERM. */
        boolean forced() {
            return killedBySigkill || (!seenEnding && !stillRunning);
        }
    }

    /** Starts the witness for {@code runs} (service name to pid); it outlives warden. Failure is logged only. */
    static void arm(Path stateDir, Path scandir, String at, Map<String, Long> runs) {
        if (runs.isEmpty()) return;
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", SCRIPT, "warden-stop-witness",
                stateDir.resolve(FILE).toString(), at, scandir.toString()));
        for (Map.Entry<String, Long> e : runs.entrySet()) {
            cmd.add(e.getKey());
            cmd.add(Long.toString(e.getValue()));
        }
        try {
            new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            // the causes are already durable; only the later "forced" detail is lost
            Logger.warn("cannot start the stop witness ({}): a run SIGKILLed at the end of this stop will show only "
                    + "its signal cause", e.getMessage());
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

package io.warden.reliability;

import io.warden.state.Intent;
import io.warden.state.IntentState;
import io.warden.state.ServiceState;
import io.warden.state.StateStore;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The victim of {@link CrashConsistencyIT}: flips the gateway's intent up and down through the real
 * {@link StateStore} as fast as it can, one journal line per change, and prints {@code committed <n> <state>}
 * only after both writes have returned (so the line proves they are durable). Change {@code n} is "up" when n is
 * even, "down" when odd, and carries {@code n=<n>} in its reason, so a reader can tell exactly which write
 * a file holds. It resumes from the counter it finds on the volume. Runs until killed (or {@code maxChanges}).
 *
 * <p>Arguments: {@code <state-dir> [journal-max-bytes] [max-changes]}.
 */
public final class StateTorture {
    public static final String SERVICE = "gateway";

    private StateTorture() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long journalMax = args.length > 1 ? Long.parseLong(args[1]) : 16 * 1024;
        long max = args.length > 2 ? Long.parseLong(args[2]) : Long.MAX_VALUE;
        StateStore store = new StateStore(dir, SERVICE, journalMax);
        store.ensureDirectory();
        StateStore.Loaded<ServiceState> loaded = store.loadService();
        if (loaded.damaged()) {
            System.out.println("damaged " + loaded.problem());
            System.exit(3);
        }
        long n = loaded.value() == null ? 0 : counterOf(loaded.value());
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, "UTF-8");
        out.println("resumed " + n);
        out.flush();
        for (long i = 0; i < max; i++) {
            n++;
            IntentState s = stateOf(n);
            Instant now = Instant.now();
            ServiceState next = new ServiceState(SERVICE, Intent.byUser(s, now, 0, ProcessHandle.current().pid(),
                    "n=" + n), null);
            store.saveService(next);
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("at", now.toString());
            rec.put("event", "intent");
            rec.put("n", n);
            rec.put("state", s.wire());
            // pad so that a kill lands inside a line's write more often than not
            rec.put("pad", "x".repeat(200));
            store.appendJournal(rec);
            out.println("committed " + n + " " + s.wire());
            out.flush();
        }
    }

    public static IntentState stateOf(long n) {
        return n % 2 == 0 ? IntentState.UP : IntentState.DOWN;
    }

    /** The counter a state file carries in its reason ({@code n=<n>}). */
    public static long counterOf(ServiceState s) {
        String r = s.intent().reason();
        if (r == null || !r.startsWith("n=")) throw new IllegalStateException("not a torture state: " + r);
        return Long.parseLong(r.substring(2));
    }
}

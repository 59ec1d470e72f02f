package io.warden.reliability;

import org.junit.jupiter.api.Timeout;
import io.warden.state.DurableFile;
import io.warden.state.Journal;
import io.warden.state.ServiceState;
import io.warden.state.StateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash consistency of the state volume: {@link StateTorture} (the real {@link StateStore}) flips the intent and
 * appends the journal as fast as it can; it is SIGKILLed at a random moment 0-60 ms after its first durable write,
 * hundreds of times, by two killers in parallel on two volumes. After every kill a fresh {@link StateStore} must
 * read the intent the victim last reported durable, or the one after it (written, not yet reported): never an
 * older one, never a mix of two, never a damaged file. The journal loses at most the line being appended, and the
 * start-up sweep removes every torn temporary file.
 *
 * <p>Reproduce: {@code mvn -B -o verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=CrashConsistencyIT} (-Dwarden.crash.kills=N, -Dwarden.crash.seed=S).
 */
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class CrashConsistencyIT {
    private static final int KILLERS = Integer.getInteger("warden.crash.killers", 3);
    private static final int KILLS = Integer.getInteger("warden.crash.kills", 500);
    private static final long SEED = Long.getLong("warden.crash.seed", System.nanoTime());
    /** Small, so rotation happens under the kills too. */
    private static final long JOURNAL_MAX = 16 * 1024;
    private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(150);

    @TempDir
    Path tmp;

    @Test
    void intentSurvivesHundredsOfKillsAtRandomMoments() throws Exception {
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(KILLERS);
        List<Future<Tally>> futures = new ArrayList<>();
        for (int k = 0; k < KILLERS; k++) {
            Path dir = Files.createDirectories(tmp.resolve("volume" + k));
            int kills = KILLS / KILLERS + (k < KILLS % KILLERS ? 1 : 0);
            Random rnd = new Random(SEED + k);
            futures.add(pool.submit(() -> killer(dir, kills, rnd, t0)));
        }
        Tally total = new Tally();
        try {
            for (Future<Tally> f : futures) total.add(f.get());
        } finally {
            pool.shutdownNow();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        Figures.print("crash consistency (SIGKILL during intent writes and journal appends)",
                total.kills + " kills, " + KILLERS + " killers in parallel, seed " + SEED,
                String.format("0 lost or mixed intents; %d kills landed between the write and its report "
                                + "(newer intent found, as allowed); %d torn temporary files, all removed by the "
                                + "start-up sweep; %d torn journal lines (at most 1 per kill); %d journal rotations; "
                                + "%d durable writes in all; %.1f s",
                        total.aheadByOne, total.tornTemps, total.tornJournalLines, total.rotations,
                        total.committed, secs));
        assertEquals(KILLS, total.kills);
    }

    private static final class Tally {
        int kills;
        int aheadByOne;
        int tornTemps;
        int tornJournalLines;
        int rotations;
        long committed;

        void add(Tally o) {
            kills += o.kills;
            aheadByOne += o.aheadByOne;
            tornTemps += o.tornTemps;
            tornJournalLines += o.tornJournalLines;
            rotations += o.rotations;
            committed += o.committed;
        }
    }

    private Tally killer(Path dir, int kills, Random rnd, long t0) throws Exception {
        Tally t = new Tally();
        StateStore store = new StateStore(dir, StateTorture.SERVICE, JOURNAL_MAX);
        long lastN = 0;
        int skippedBefore = 0;
        long lastRotatedFirst = -1;
        for (int i = 0; i < kills; i++) {
            assertTrue(System.nanoTime() - t0 < BUDGET_NANOS, "out of time after " + t.kills + " kills on " + dir);
            Victim v = new Victim(dir.resolveSibling(dir.getFileName() + ".out"));
            Process p = new ProcessBuilder(torture(dir)).redirectErrorStream(true)
                    .redirectOutput(v.file.toFile()).start();
            if (!v.awaitFirstCommit(p, 20_000)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("no durable write within 20 s on " + dir + ":\n" + v.output());
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(rnd.nextInt(60_001)));
            p.destroyForcibly();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "victim did not die");
            v.parse();
            assertEquals(137, p.exitValue(), "the victim must die of SIGKILL, not end on its own:\n" + v.output());
            t.kills++;
            long committed = v.lastCommitted;
            assertTrue(committed > lastN, "the victim reported no write (resumed at " + v.resumed + "):\n" + v.output());
            t.committed += committed - v.resumed;

            // the intent: exactly the last reported write, or the one after it, and whole
            StateStore.Loaded<ServiceState> loaded = store.loadService();
            assertFalse(loaded.damaged(), "kill " + t.kills + ": state file damaged: " + loaded.problem());
            assertNotNull(loaded.value(), "kill " + t.kills + ": state file missing");
            ServiceState s = loaded.value();
            long n = StateTorture.counterOf(s);
            assertTrue(n == committed || n == committed + 1,
                    "kill " + t.kills + ": the volume holds write " + n + " but write " + committed + " was durable; victim:\n"
                            + v.tail());
            assertEquals(StateTorture.stateOf(n), s.intent().state(), "kill " + t.kills + ": state of write " + n
                    + " mixed with another write's reason");
            if (n == committed + 1) t.aheadByOne++;
            lastN = n;

            // the journal: at most the one line being appended is lost, records in order, newest within reach
            Journal.Reading j = store.journal().read();
            int torn = j.skippedLines() - skippedBefore;
            assertTrue(torn <= 1, "kill " + t.kills + ": " + torn + " journal lines damaged by one kill");
            if (torn > 0) t.tornJournalLines += torn;
            skippedBefore = j.skippedLines();
            long prev = -1;
            for (Map<String, Object> r : j.records()) {
                long rn = (Long) r.get("n");
                assertTrue(rn > prev, "journal out of order: " + rn + " after " + prev);
                prev = rn;
            }
            assertTrue(prev == committed || prev == committed + 1, "kill " + t.kills + ": newest journal record "
                    + prev + ", last durable " + committed);
            assertTrue(prev <= n, "journal record " + prev + " ahead of the intent " + n);
            Path rotated = dir.resolve(Journal.ROTATED);
            long firstRotated = Files.exists(rotated) ? firstCounter(rotated) : -1;
            if (firstRotated != lastRotatedFirst) {
                t.rotations++;
                lastRotatedFirst = firstRotated;
            }
            Path current = dir.resolve(Journal.FILE);
            assertTrue(!Files.exists(current) || Files.size(current) <= JOURNAL_MAX + 4096, "journal is bounded");

            // torn temporary files: the start-up sweep removes them all
            List<String> removed = store.removeTornWrites();
            t.tornTemps += removed.size();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, DurableFile.TEMP_PREFIX + "*")) {
                assertFalse(ds.iterator().hasNext(), "a temporary file survived removeTornWrites()");
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + StateStore.CORRUPT_SUFFIX + "*")) {
                assertFalse(ds.iterator().hasNext(), "something was set aside as damaged");
            }
        }
        return t;
    }

    /** The counter of the first readable record of a journal file (identifies one rotation). */
    private static long firstCounter(Path file) throws IOException {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int i = line.indexOf("\"n\":");
            if (i >= 0) return Long.parseLong(line.substring(i + 4, line.indexOf(',', i)));
        }
        return -1;
    }

    private static List<String> torture(Path dir) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Xint"); // a victim lives ~100 ms: interpreting costs less CPU than compiling
        cmd.add("-XX:-UsePerfData");
        cmd.add("-Xmx64m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(StateTorture.class.getName());
        cmd.add(dir.toString());
        cmd.add(Long.toString(JOURNAL_MAX));
        return cmd;
    }

    /**
     * The victim's output goes to a file (a pipe read while the JDK reaps the process can lose its last bytes);
     * only complete lines count: a line cut by the kill was never reported.
     */
    private static final class Victim {
        final Path file;
        long resumed = -1;
        long lastCommitted = -1;

        Victim(Path file) {
            this.file = file;
        }

        boolean awaitFirstCommit(Process p, long timeoutMillis) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            long seen = 0;
            while (System.nanoTime() < deadline) {
                long size = Files.size(file);
                if (size != seen) {
                    seen = size;
                    if (Files.readString(file).contains("committed ")) return true;
                }
                if (!p.isAlive()) return false;
                LockSupport.parkNanos(500_000);
            }
            return false;
        }

        void parse() throws IOException {
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            if (end < 0) return;
            for (String l : text.substring(0, end).split("\n")) {
                if (l.startsWith("committed ")) lastCommitted = Long.parseLong(l.split(" ")[1]);
                else if (l.startsWith("resumed ")) resumed = Long.parseLong(l.substring(8));
            }
        }

        String output() {
            try {
                String s = Files.readString(file);
                return s.length() > 2000 ? "..." + s.substring(s.length() - 2000) : s;
            } catch (IOException e) {
                return "(" + e + ")";
            }
        }

        String tail() {
            return output();
        }
    }
}

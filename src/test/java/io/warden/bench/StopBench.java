package io.warden.bench;

import io.warden.state.DurableFile;
import io.warden.state.GatewayRun;
import io.warden.state.Intent;
import io.warden.state.IntentState;
import io.warden.state.LastShutdown;
import io.warden.state.RunRecord;
import io.warden.state.ServiceState;
import io.warden.state.ShutdownCause;
import io.warden.state.StateStore;
import io.warden.state.StopTransaction;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The stop's transaction alone, in one warm JVM (bench/run.sh; never run by mvn verify): {@link StopTransaction#commit}
 * of a volume with 1, 50 and 500 services, each commit followed by one plain durable write (temporary file,
 * fsync, rename, directory fsync of a service file) on the same file system, interleaved so both see the same
 * disk. What the daemon adds on top (the signal reaching its loop, deciding the causes) is in ServicesBench.
 *
 * <p>Usage: StopBench DIR RUNS [SERVICES...]. Prints {@code RESULT key value} lines.
 */
public final class StopBench {
    private StopBench() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]).toAbsolutePath();
        int runs = Integer.parseInt(args[1]);
        List<Integer> counts = new ArrayList<>();
        for (int i = 2; i < args.length; i++) counts.add(Integer.parseInt(args[i]));
        if (counts.isEmpty()) counts = List.of(1, 50, 500);
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            for (int n : counts) bench(root.resolve("stop-" + n), n, runs, pool);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void bench(Path dir, int n, int runs, ExecutorService pool) throws Exception {
        ProcessBench.deleteTree(dir);
        Files.createDirectories(dir);
        StateStore store = new StateStore(dir, "svc001");
        Instant t0 = Instant.now();
        Map<String, GatewayRun> up = new TreeMap<>();
        for (int i = 1; i <= n; i++) {
            String name = String.format("svc%03d", i);
            store.saveService(new ServiceState(name, Intent.byDefault(IntentState.UP, t0), null));
            up.put(name, new GatewayRun(1000 + i, "@40000000690000000000000" + i));
        }
        RunRecord run = new RunRecord(4242, t0, null, null, null, up);
        store.saveRun(run);
        store.appendJournal(Map.of("event", "boot"));
        String serviceFile = Files.readString(store.serviceFile("svc001"));
        Path other = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-baseline"));
        int bytes = 0;
        long[] commit = new long[runs];
        long[] baseline = new long[runs];
        for (int r = -3; r < runs; r++) {
            Instant at = Instant.now();
            Map<String, LastShutdown> causes = new TreeMap<>();
            List<Map<String, Object>> records = new ArrayList<>();
            for (String name : up.keySet()) {
                causes.put(name, new LastShutdown(ShutdownCause.SIGNAL, "SIGTERM", at, null,
                        "warden received SIGTERM while " + name + " was up"));
                records.add(Map.of("event", "shutdown", "service", name, "cause", "signal"));
            }
            records.add(Map.of("event", "warden-stop", "cause", "signal"));
            RunRecord ended = run.endedBy("SIGTERM", at).withCauses(causes);
            bytes = ended.toFileText().length();
            long s = System.nanoTime();
            StopTransaction.commit(store, ended, records, pool);
            long c = System.nanoTime() - s;
            store.saveRun(run); // the next "boot": the record has no end again
            s = System.nanoTime();
            new DurableFile(other.resolve("svc.json")).write(serviceFile);
            long b = System.nanoTime() - s;
            if (r >= 0) {
                commit[r] = c;
                baseline[r] = b;
            }
        }
        ProcessBench.report("tx" + n + "_commit_ms", commit, 1e6);
        ProcessBench.report("tx" + n + "_fsync_rename_ms", baseline, 1e6);
        System.out.printf("RESULT tx%d_run_record_bytes %d%n", n, bytes);
    }
}

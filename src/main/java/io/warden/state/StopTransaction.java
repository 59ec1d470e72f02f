package io.warden.state;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * A container stop made durable as one transaction, whatever the number of services: the ended run record, which
 * carries every cause the stop decided ({@link RunRecord#causes}), is staged (written, fsynced) while the stop's
 * journal records are appended (one fsync); only when both are durable is the record renamed into place and the
 * directory fsynced. That rename is the commit: until it, the run record on the volume has no end, and the next
 * boot judges the stop {@code unclean}; after it, every cause is there at once. Three fsyncs, or four when the
 * append creates or rotates the journal file, for 1 service or 5,000.
 *
 * <p>Each service's own file gets its cause afterwards ({@link #fold}): for an older warden, which reads causes
 * only there, and for the next boot, which folds whatever was not.
 */
public final class StopTransaction {
    private StopTransaction() {
    }

    /** The stop was not committed: the run record on the volume is the one before the stop, with no end. */
    public static final class NotCommittedException extends IOException {
        private static final long serialVersionUID = 1L;

        NotCommittedException(String message, IOException cause) {
            super(message, cause);
        }
    }

    /**
     * Commits the stop: {@code ended} (the run record with its end and causes) and {@code records} (the stop's
     * journal records, warden's stop record last). Returns normally when all of it is durable. Throws
     * {@link NotCommittedException} when the run record was left as it was (the next boot says {@code unclean};
     * journal records already appended stay, followed at that boot by {@code warden-unclean-end}), or
     * {@link DurableFile.NotDurableException} when the record was renamed into place but the directory fsync failed
     * (every cause is in the file a reader sees; a power loss may still take the rename back, all of it).
     */
    public static void commit(StateStore store, RunRecord ended, List<Map<String, Object>> records,
                              ExecutorService pool) throws IOException {
        Future<?> appended = records.isEmpty() ? null : pool.submit(() -> {
            store.journal().appendAll(records);
            return null;
        });
        DurableFile run = store.runFile();
        DurableFile.Staged staged;
        try {
            staged = run.stage(ended.toFileText());
        } catch (IOException e) {
            NotCommittedException failed = new NotCommittedException("could not write the ended run record "
                    + run.path() + " (" + e.getMessage() + ")", e);
            IOException journal = outcome(appended);
            if (journal != null) failed.addSuppressed(journal);
            throw failed;
        }
        if (appended != null) {
            try {
                await(appended, "appending the stop's records to the journal");
            } catch (IOException e) {
                staged.abandon();
                throw new NotCommittedException("could not append the stop's records to the journal ("
                        + e.getMessage() + ")", e);
            }
        }
        try {
            staged.commit();
        } catch (IOException e) {
            throw new NotCommittedException("could not rename the ended run record into " + run.path() + " ("
                    + e.getMessage() + ")", e);
        }
        try {
            store.sync().directory(store.dir());
        } catch (IOException e) {
            throw new DurableFile.NotDurableException(run.path() + " holds the stop's causes, but the fsync of "
                    + store.dir() + " failed (" + e.getMessage() + "): a power loss may take the stop back", e);
        }
    }

    /**
     * Writes several services' files at once (each staged on {@code pool}, then renamed, then one directory fsync):
     * the stop's causes folded into each service's file, after the commit or at the next boot. Returns, per
     * service, null when its file is durable or the error met.
     */
    public static Map<String, IOException> fold(StateStore store, List<ServiceState> states, ExecutorService pool) {
        Map<String, IOException> outcome = new LinkedHashMap<>();
        List<Future<DurableFile.Staged>> staged = new ArrayList<>();
        for (ServiceState s : states) staged.add(pool.submit(() -> store.durable(s.service()).stage(s.toFileText())));
        boolean renamed = false;
        for (int i = 0; i < states.size(); i++) {
            String name = states.get(i).service();
            try {
                await(staged.get(i), "writing " + store.serviceFile(name)).commit();
                outcome.put(name, null);
                renamed = true;
            } catch (IOException e) {
                outcome.put(name, e);
            }
        }
        if (renamed) {
            try {
                store.sync().directory(store.dir());
            } catch (IOException e) {
                // the renames may not survive a power loss: none of them counts as durable
                for (Map.Entry<String, IOException> o : outcome.entrySet()) if (o.getValue() == null) o.setValue(e);
            }
        }
        return outcome;
    }

    private static <T> T await(Future<T> f, String what) throws IOException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException ? (IOException) e.getCause() : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted " + what);
        }
    }

    /** Waits for the append; its error, or null (the stop has failed already: this only completes the report). */
    private static IOException outcome(Future<?> f) {
        if (f == null) return null;
        try {
            await(f, "appending the stop's records to the journal");
            return null;
        } catch (IOException e) {
            return e;
        }
    }
}

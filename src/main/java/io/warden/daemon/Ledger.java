package io.warden.daemon;

import io.warden.state.DurableFile;
import io.warden.state.RunRecord;
import io.warden.state.ServiceState;
import io.warden.state.StateStore;
import io.warden.state.StopTransaction;
import org.tinylog.Logger;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * What the daemon writes on the volume on its own account (the state file, the run record, the journal) and
 * the problems it met doing so. A write that fails is never fatal here: the value stays in memory, the problem
 * is logged once and listed under {@code degraded} in status. Commands that change intent do not come through
 * this class: they must fail when the intent cannot be recorded.
 */
final class Ledger {
    private static final String RUN_PROBLEM = "could not write the run record";
    private static final String JOURNAL_PROBLEM = "could not append to the journal";

    private final StateStore store;
    private final Runnable onProblem;
    /** Where a problem entering or leaving {@code degraded} is told (the event spine). */
    private final java.util.function.Consumer<io.warden.event.Event> events;
    private final Map<Problem, String> problems = new java.util.LinkedHashMap<>();
    private boolean writable = true;
    /** Set by the stop's transaction: nothing more is written but the stop's own causes into their files. */
    private boolean sealed;
    /** A run record that could not be written: written again once the volume takes a write. */
    private RunRecord unsavedRun;
    /**
     * The journal records of the decision loop's current turn, appended together when it ends (one fsync however
     * many services changed in it); null when no turn is open (boot, the stop: written at once).
     */
    private List<Map<String, Object>> turnRecords;
    /** The run record as the current turn last left it: written once when the turn ends. */
    private RunRecord turnRun;
    /** The decision loop's thread while its turn is open: what other threads write goes to the volume at once. */
    private Thread turnThread;

    Ledger(StateStore store, Runnable onProblem) {
        this(store, onProblem, e -> { });
    }

    Ledger(StateStore store, Runnable onProblem, java.util.function.Consumer<io.warden.event.Event> events) {
        this.store = store;
        this.onProblem = onProblem;
        this.events = events;
    }

    boolean writable() {
        return writable;
    }

    /** The volume cannot be written at all: nothing more is attempted, and status says why. */
    void readOnly(String why) {
        writable = false;
        problem(why);
    }

    boolean save(ServiceState s) {
        if (!writable || refusedAfterStop("a write of " + s.service() + "'s file")) return false;
        try {
            store.saveService(s);
            serviceSaved(s.service());
            return true;
        } catch (IOException e) {
            problem(Problem.of(Problem.Kind.SERVICE_WRITE, s.service()),
                    serviceWriteProblem(s.service()) + " (" + describe(e) + "); kept in memory only");
            return false;
        }
    }

    /**
     * The container stop as one transaction ({@link StopTransaction#commit}): the ended run record carrying every
     * cause, and the stop's journal records. True when the stop is committed (every cause in the run record);
     * false when the run record was left without an end, which the next boot judges {@code unclean}. Either way
     * the ledger is sealed: nothing is journaled after warden's stop record, and the run record is not rewritten.
     */
    boolean commitStop(RunRecord ended, List<Map<String, Object>> records, ExecutorService pool) {
        // what the turn holds happened before the stop: on the volume before the stop's own records
        closeTurn();
        if (!writable) {
            sealed = true;
            return false;
        }
        try {
            StopTransaction.commit(store, ended, records, pool);
            unsavedRun = null;
            return true;
        } catch (DurableFile.NotDurableException e) {
            // every cause is in the run record a reader sees; a power loss may take it back, all of it (unclean)
            problem(describe(e));
            return true;
        } catch (IOException e) {
            problem(describe(e) + "; the next boot judges this stop unclean");
            return false;
        } finally {
            sealed = true;
        }
    }

    /**
     * Writes services' files at once ({@link StopTransaction#fold}): the causes of a committed stop, after the
     * commit or at the next boot. Returns the services whose file could not be made durable (a problem each).
     */
    List<String> fold(List<ServiceState> states, ExecutorService pool) {
        List<String> failed = new ArrayList<>();
        if (!writable || states.isEmpty()) return failed;
        for (Map.Entry<String, IOException> o : StopTransaction.fold(store, states, pool).entrySet()) {
            if (o.getValue() == null) {
                clear(Problem.of(Problem.Kind.SERVICE_WRITE, o.getKey()));
            } else {
                failed.add(o.getKey());
                problem(Problem.of(Problem.Kind.SERVICE_WRITE, o.getKey()), serviceWriteProblem(o.getKey()) + "("
                        + describe(o.getValue()) + "); its cause is kept in "
                        + store.dir().resolve(StateStore.RUN_FILE) + " until it is");
            }
        }
        return failed;
    }

    /**
     * A write after warden's stop record: a defect of the caller, refused so that the stop stays the last thing on
     * the volume (the next boot reads the stop's run record and the witness by it).
     */
    private boolean refusedAfterStop(String what) {
        if (!sealed) return false;
        Logger.error("internal error: {} after warden's stop record was refused", what);
        return true;
    }

    /** Opens a turn of the decision loop: journal records and the run record wait for {@link #closeTurn}. */
    void openTurn() {
        if (turnRecords != null) return;
        turnRecords = new ArrayList<>();
        turnThread = Thread.currentThread();
    }

    private boolean inTurn() {
        return turnRecords != null && Thread.currentThread() == turnThread;
    }

    /** Ends the turn: its journal records appended with one fsync, then the run record it left, written once. */
    void closeTurn() {
        List<Map<String, Object>> recs = turnRecords;
        RunRecord run = turnRun;
        turnRecords = null;
        turnRun = null;
        turnThread = null;
        if (recs == null) return;
        if (!recs.isEmpty()) journalRecords(recs);
        if (run != null) saveRun(run);
    }

    void saveRun(RunRecord r) {
        if (inTurn()) {
            turnRun = r;
            return;
        }
        if (!writable || refusedAfterStop("a write of the run record")) return;
        try {
            store.saveRun(r);
            unsavedRun = null;
            clear(Problem.of(Problem.Kind.RUN_WRITE, StateStore.RUN_FILE));
        } catch (IOException e) {
            unsavedRun = r;
            problem(Problem.of(Problem.Kind.RUN_WRITE, StateStore.RUN_FILE), RUN_PROBLEM + " (" + describe(e) + ")");
        }
    }

    void journal(Map<String, Object> rec) {
        if (inTurn()) {
            turnRecords.add(rec);
            return;
        }
        if (!writable || refusedAfterStop("a journal record " + rec.get("event"))) return;
        try {
            store.appendJournal(rec);
            clear(Problem.of(Problem.Kind.JOURNAL_WRITE, "journal"));
            retryRun();
        } catch (IOException e) {
            problem(Problem.of(Problem.Kind.JOURNAL_WRITE, "journal"), JOURNAL_PROBLEM + " (" + describe(e) + ")");
        }
    }

    /** The event spine's journal: one record appended as {@link #journal}, several with one fsync. */
    void journalRecords(List<Map<String, Object>> recs) {
        if (recs.size() == 1) journal(recs.get(0));
        else journalAll(recs);
    }

    /** Appends records in order with one fsync. */
    void journalAll(List<Map<String, Object>> recs) {
        if (inTurn()) {
            turnRecords.addAll(recs);
            return;
        }
        if (!writable || recs.isEmpty() || refusedAfterStop(recs.size() + " journal records")) return;
        try {
            store.journal().appendAll(recs);
            clear(Problem.of(Problem.Kind.JOURNAL_WRITE, "journal"));
            retryRun();
        } catch (IOException e) {
            problem(Problem.of(Problem.Kind.JOURNAL_WRITE, "journal"), JOURNAL_PROBLEM + " (" + describe(e) + ")");
        }
    }

    /** A problem that lasts as long as the daemon: its words are its key. */
    void problem(String p) {
        problem(Problem.of(Problem.Kind.STANDING, p), p);
    }

    /** A problem under {@code degraded} until {@link #clear} ends it; its words are logged and shown. */
    void problem(Problem key, String words) {
        if (words.equals(problems.get(key))) return;
        String before = problems.put(key, words);
        if (before != null) events.accept(new io.warden.event.Event.Recovered(before));
        Logger.error(words);
        events.accept(new io.warden.event.Event.Degraded(words));
        onProblem.run();
    }

    /**
     * A problem is over: it leaves {@code degraded}. The service file's write problem ends with the next write
     * that succeeds, whoever makes it (the daemon here, or a user's intent through {@link #serviceSaved}).
     */
    void clear(Problem key) {
        String over = problems.remove(key);
        if (over == null) return;
        Logger.info("recovered: {}", over);
        events.accept(new io.warden.event.Event.Recovered(over));
        onProblem.run();
    }

    /** A service's file was written durably: what was kept in memory only is on the volume now. */
    void serviceSaved(String service) {
        clear(Problem.of(Problem.Kind.SERVICE_WRITE, service));
        retryRun();
    }

    /** The volume takes writes again: the run record on it must not stay stale (the next boot judges by it). */
    private void retryRun() {
        if (unsavedRun != null) saveRun(unsavedRun);
    }

    private String serviceWriteProblem(String service) {
        return "could not write " + store.serviceFile(service) + " ";
    }

    List<String> problems() {
        return List.copyOf(problems.values());
    }

    /** An I/O error in words a log reader understands: what went wrong, and with which file. */
    static String describe(IOException e) {
        if (e instanceof FileSystemException) {
            FileSystemException f = (FileSystemException) e;
            String reason = f.getReason() != null ? f.getReason()
                    : e instanceof NoSuchFileException ? "no such file or directory"
                    : e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof FileAlreadyExistsException ? "already exists"
                    : e.getClass().getSimpleName();
            return reason + ": " + f.getFile();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}

package io.warden.daemon;

import io.warden.state.GatewayRun;
import io.warden.state.RunRecord;
import io.warden.state.ServiceState;

import java.util.List;
import java.util.Objects;

/**
 * This warden's run, as the loop keeps it: its run record (which follows the runs the controllers see up, so the
 * next boot can tell an unclean end), why it ends once it does, its exit code, and the causes a committed stop
 * still folds into each service's own file. Owned by the decision loop.
 */
final class WardenRun {
    private final Ledger ledger;
    private final String defaultService;
    private RunRecord record;
    private String endedBy;
    private int exitCode = DaemonExit.CLEAN;
    private List<ServiceState> causesToFold = List.of();

    WardenRun(Ledger ledger, String defaultService) {
        this.ledger = ledger;
        this.defaultService = defaultService;
    }

    /** The run record, or null before the boot made one. */
    RunRecord record() {
        return record;
    }

    void record(RunRecord r) {
        record = r;
    }

    /** Whether warden is ending: nothing is decided after its stop record. */
    boolean ending() {
        return endedBy != null;
    }

    /** The signal or the failure that ends this run, or null while it goes on. */
    String endedBy() {
        return endedBy;
    }

    void end(String why, int code) {
        endedBy = why;
        exitCode = code;
    }

    int exitCode() {
        return exitCode;
    }

    List<ServiceState> causesToFold() {
        return causesToFold;
    }

    void foldLater(List<ServiceState> causes) {
        causesToFold = causes;
    }

    /** A controller sees {@code r} up for {@code service} (null: none): the run record follows. */
    void seen(String service, GatewayRun r) {
        if (record == null) return;
        if (Objects.equals(record.seen(service, defaultService), r)) return;
        ledger.saveRun(record = record.withRun(service, defaultService, r));
    }

    /** A boot that failed after it recorded its run: the record says it ended, so the next boot sees no unclean end. */
    void endFailedBoot(java.time.Instant at) {
        if (record != null && !record.ended() && ledger.writable()) {
            ledger.saveRun(record = record.endedBy("startup failed", at));
        }
    }
}

package io.warden.daemon;

import org.tinylog.Logger;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs of one service whose s6-supervise was killed: still running, no longer supervised. Each is a problem (status
 * shows it, README says what an operator does) until its process exits.
 */
final class Orphans {
    private final String name;
    private final ServiceContext ctx;
    /** pid to its problem */
    private final Map<Long, String> problems = new LinkedHashMap<>();

    Orphans(String name, ServiceContext ctx) {
        this.name = name;
        this.ctx = ctx;
    }

    void add(long pid, String problem) {
        problems.put(pid, problem);
        ctx.ledger().problem(Problem.of(Problem.Kind.ORPHAN, pid), problem);
        ProcessHandle.of(pid).ifPresent(h -> h.onExit().thenRun(() -> ctx.loop().accept(() -> gone(pid))));
    }

    private void gone(long pid) {
        String p = problems.remove(pid);
        if (p == null) return;
        ctx.ledger().clear(Problem.of(Problem.Kind.ORPHAN, pid));
        Logger.info("unsupervised {} pid {} has exited", name, pid);
    }
}

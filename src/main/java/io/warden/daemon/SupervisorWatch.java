package io.warden.daemon;

import io.warden.s6.SupervisorKind;
import org.tinylog.Logger;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Which supervisor serves warden's scandir ({@code status}'s {@code supervisor}): detected at boot, followed
 * while it runs, detected again when it exits or a status arrives while there was none. Owned by the loop.
 */
final class SupervisorWatch {
    private final Processes processes;
    private final Path scandir;
    private final Path overlayBasedir;
    private final Ledger ledger;
    private final Consumer<Runnable> loop;
    private final Runnable publish;
    private SupervisorKind kind = SupervisorKind.NONE;

    SupervisorWatch(Processes processes, Path scandir, Path overlayBasedir, Ledger ledger, Consumer<Runnable> loop,
                    Runnable publish) {
        this.processes = processes;
        this.scandir = scandir;
        this.overlayBasedir = overlayBasedir;
        this.ledger = ledger;
        this.loop = loop;
        this.publish = publish;
    }

    SupervisorKind kind() {
        return kind;
    }

    /** At boot: what serves the scandir now. */
    void detect() {
        kind = SupervisorKind.detect(processes.table(), scandir, overlayBasedir);
    }

    /** Follows the s6-svscan found at detection: when it exits, the supervisor is detected again. */
    void follow() {
        long pid = kind == SupervisorKind.S6_OVERLAY ? 1 : processes.table().find("s6-svscan", scandir);
        if (pid == 0) return;
        processes.onExit(pid, () -> loop.accept(this::redetect));
    }

    /** A status arrived: with no supervisor known, one may have started since. */
    void statusSeen() {
        if (kind == SupervisorKind.NONE) redetect();
    }

    void redetect() {
        SupervisorKind now = SupervisorKind.detect(processes.table(), scandir, overlayBasedir);
        String prefix = "no s6-svscan serves " + scandir;
        if (now == SupervisorKind.NONE) {
            ledger.problem(Problem.of(Problem.Kind.NO_SUPERVISOR, scandir), prefix + ": a service that ends is not restarted");
        } else {
            ledger.clear(Problem.of(Problem.Kind.NO_SUPERVISOR, scandir));
        }
        if (now == kind) return;
        Logger.warn("supervisor is now {} (was {})", now.wire(), kind.wire());
        kind = now;
        if (now != SupervisorKind.NONE) follow();
        publish.run();
    }
}

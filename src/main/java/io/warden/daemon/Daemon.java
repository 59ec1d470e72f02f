package io.warden.daemon;

import io.warden.api.ApiServer;
import io.warden.api.ErrorCode;
import io.warden.api.Operation;
import io.warden.api.Peer;
import io.warden.api.PeerIdentity;
import io.warden.api.PrintableText;
import io.warden.api.Protocol;
import io.warden.api.SocketFile;
import io.warden.config.Setting;
import io.warden.config.Settings;
import io.warden.s6.ControlFifo;
import io.warden.s6.ProcessTable;
import io.warden.s6.Scandir;
import io.warden.s6.ServiceDirectory;
import io.warden.s6.Signals;
import io.warden.s6.StatusWatcher;
import io.warden.s6.SupervisorKind;
import io.warden.s6.SupervisorStatus;
import io.warden.state.GatewayRun;
import io.warden.state.Intent;
import io.warden.state.IntentSource;
import io.warden.state.IntentState;
import io.warden.state.LastShutdown;
import io.warden.state.RunRecord;
import io.warden.state.ServiceState;
import io.warden.state.ShutdownCause;
import io.warden.state.StateLock;
import io.warden.state.StateStore;
import org.tinylog.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The sidecar. Every decision runs on one thread, the loop: s6 status changes, signals and intent changes arrive
 * as tasks on its queue, so the rules never race each other. Socket and watcher threads only hand work in;
 * {@link Requests} answers {@code status} from the {@link Snapshot} the loop publishes after each change.
 */
public final class Daemon {
    /**
     * Socket bounds (README, "Socket protocol"): 5 s idle time; 2048 connections, of which one unprivileged uid
     * may hold 64 and 64 are kept for root and the control group; 32 history answers streamed at once, 24 of
     * them for unprivileged peers.
     */
    private static final ApiServer.Limits SOCKET_LIMITS = new ApiServer.Limits(5000, 2048, 64, 64, 32, 24);
    /** How often the watcher looks for a service directory that is not there yet. */
    private static final long WAITING_POLL_MILLIS = 1000;
    /** Re-read of a watched status file in case inotify missed something: a safety net, not the mechanism. */
    private static final long SAFETY_POLL_MILLIS = 60_000;
    private static final String DAMAGED_STATE = "state file damaged: ";
    /** s6 spaces restarts at least 1 s apart; two such restarts are left to it before warden holds any. */
    private static final int FREE_RESTARTS = 2;
    private static final long BACKOFF_INITIAL_MILLIS = 1000;
    /** A run this long proves the gateway healthy again and clears the crash count. */
    private static final long BACKOFF_RESET_MILLIS = 30_000;

    private final Settings settings;
    private final StateStore store;
    private final Ledger ledger;
    private final Scandir scandir;
    private final ServiceDirectory service;
    private final Path template;
    private final ProcessTable procs;
    private final long signalWindowNanos;
    private final CrashBackoff backoff;
    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    private final PeerIdentity identity;
    private final Requests requests;
    private final long wardenPid = ProcessHandle.current().pid();
    private final TimeSource time;
    private final Instant startedAt;

    // owned by the loop thread
    private ServiceState state;
    private RunRecord run;
    private SupervisorStatus status;
    private GatewayRun currentRun;
    /** When a held restart is due (System.nanoTime), or 0 when no restart is held. */
    private long backoffUntilNanos;
    private PendingEnd pending;
    /** The pid of a run warden itself asked s6 to end (stop, restart), 0 when none; its end is no crash. */
    private long expectedEndPid;
    private int exitCode = DaemonExit.CLEAN;
    private String shutdownSignal;
    private SupervisorKind supervisor = SupervisorKind.NONE;
    /** The status at the last end of a run warden knows of, or null when no run has ended (lastExit). */
    private SupervisorStatus lastDeath;
    /** Gateway runs whose s6-supervise was killed: still running, no longer supervised (pid to its problem). */
    private final Map<Long, String> orphans = new LinkedHashMap<>();

    private StateLock lock;
    private ApiServer server;
    private StatusWatcher watcher;

    public Daemon(Settings settings) {
        this(settings, TimeSource.system());
    }

    public Daemon(Settings settings, TimeSource time) {
        this.settings = settings;
        this.time = time;
        this.startedAt = time.now();
        this.store = new StateStore(settings.path(Setting.STATE_DIR), settings.service(), settings.journalMaxBytes());
        this.ledger = new Ledger(store, this::republish);
        this.scandir = new Scandir(settings.path(Setting.SCANDIR));
        this.service = scandir.service(settings.service());
        this.template = settings.path(Setting.TEMPLATE);
        this.procs = ProcessTable.system();
        this.signalWindowNanos = settings.signalWindowMillis() * 1_000_000L;
        this.backoff = new CrashBackoff(time, FREE_RESTARTS, BACKOFF_INITIAL_MILLIS, settings.backoffMaxMillis(),
                BACKOFF_RESET_MILLIS);
        this.identity = PeerIdentity.system(settings.controlGroup());
        this.requests = new Requests(identity.access(), store.journal(), tasks::add, this::control);
    }

    /** Boots, serves until SIGTERM/SIGINT, records the cause and returns the process exit code. */
    public int run() {
        ShutdownSignals.install(sig -> tasks.add(() -> onSignal(sig)));
        try {
            boot();
        } catch (StateLock.StateLockedException | SocketFile.SocketInUseException e) {
            Logger.error("refusing to start: {}", e.getMessage());
            close();
            return DaemonExit.ALREADY_RUNNING;
        } catch (IOException e) {
            // a missing template, an unusable scandir or socket path: the message says which, no trace needed
            Logger.error("cannot start: {}", Ledger.describe(e));
            close();
            return DaemonExit.STARTUP_FAILED;
        } catch (RuntimeException e) {
            Logger.error(e, "cannot start: {}", e.getMessage());
            close();
            return DaemonExit.STARTUP_FAILED;
        }
        loop();
        // what arrived with or after the signal still gets its answer ("shutting-down") or its log line
        Runnable late;
        while ((late = tasks.poll()) != null) runGuarded(late);
        close();
        Logger.info("warden stopped ({})", shutdownSignal);
        return exitCode;
    }

    private void boot() throws IOException {
        Path dir = store.dir();
        try {
            store.ensureDirectory();
            lock = StateLock.acquire(dir);
            for (String torn : store.removeTornWrites()) {
                Logger.warn("removed {} left in {} by an interrupted write", torn, dir);
            }
        } catch (StateLock.StateLockedException e) {
            throw e;
        } catch (IOException e) {
            ledger.readOnly("state directory " + dir + " is not writable (" + Ledger.describe(e)
                    + "): intents cannot be recorded, start/stop/restart are refused");
        }

        StateStore.Loaded<ServiceState> loaded = store.loadService();
        IntentState dflt = settings.defaultIntent();
        if (loaded.damaged()) {
            ledger.problem(DAMAGED_STATE + loaded.problem() + "; using WARDEN_DEFAULT_INTENT=" + dflt.wire()
                    + " until a user sets an intent");
        }
        if (loaded.value() != null) {
            state = loaded.value();
        } else {
            state = new ServiceState(settings.service(), Intent.byDefault(dflt, startedAt), null);
            if (loaded.damaged()) {
                state = state.withIntent(new Intent(dflt, IntentSource.DEFAULT, startedAt, null, null,
                        "state file damaged, default applied: " + loaded.problem()));
            }
            if (ledger.save(state)) ledger.journal(Ledger.intentRecord("intent", state.intent()));
        }

        supervisor = SupervisorKind.detect(procs, scandir.path(), settings.path(Setting.S6_OVERLAY_BASEDIR));
        service.removeStaleStaging();
        status = readStatusOrNull();
        // a wait status other than 0 is a death; 0 is also what a supervisor that never started the run writes
        if (status != null && status.pid() == 0 && status.wstat() != 0) lastDeath = status;
        boolean present = service.exists();
        boolean supervised = present && service.supervised(procs);

        StateStore.Loaded<RunRecord> previous = store.loadRun();
        if (previous.damaged()) ledger.problem("run record damaged: " + previous.problem());
        if (previous.value() != null && !previous.value().ended()) judgeUncleanEnd(previous.value());

        BootPlan plan = BootPlan.decide(state.intent().state(), present, supervised, status);
        Logger.info("boot: intent {} ({}), supervisor {}: {}", state.intent().state().wire(),
                state.intent().source().wire(), supervisor.wire(), plan.why());
        apply(plan);

        currentRun = runOf(status);
        if (currentRun != null) backoff.runAdopted(java.time.Duration.between(status.stamp(), startedAt).toMillis());
        GatewayRun seenBefore = previous.value() == null ? null : previous.value().gateway();
        if (currentRun != null && !currentRun.equals(seenBefore)) {
            // started before warden (the early start, or s6 alone): the journal still gets its start
            Map<String, Object> up = Ledger.record("gateway-up");
            up.put("pid", currentRun.pid());
            up.put("adopted", true);
            ledger.journal(up);
        }
        run = new RunRecord(wardenPid, startedAt, null, null, currentRun);
        ledger.saveRun(run);
        Map<String, Object> boot = Ledger.record("boot");
        boot.put("wardenPid", wardenPid);
        boot.put("supervisor", supervisor.wire());
        boot.put("intent", state.intent().state().wire());
        boot.put("action", plan.why());
        ledger.journal(boot);
        publish();

        watchSupervisor();
        watcher = new StatusWatcher(service, WAITING_POLL_MILLIS, SAFETY_POLL_MILLIS, s -> tasks.add(() -> onStatus(s)),
                e -> tasks.add(() -> onInternalFailure("status watcher failure: " + e, DaemonExit.WATCHER_FAILED)));
        watcher.start();
        server = new ApiServer(new SocketFile(settings.path(Setting.SOCKET)), requests, identity, SOCKET_LIMITS,
                () -> tasks.add(this::onServerFailure));
        server.start();
        Readiness.notify(settings.notifyFd());
        Logger.info("ready: socket {}, state {}, service {}", settings.get(Setting.SOCKET), dir, service.path());
    }

    /** The previous run left no record: a whole-container kill ends the gateway's run, a warden-only kill does not. */
    private void judgeUncleanEnd(RunRecord prev) {
        GatewayRun seen = prev.gateway();
        boolean survived = seen != null && seen.equals(runOf(status));
        Map<String, Object> r = Ledger.record("warden-unclean-end");
        r.put("previousWardenPid", prev.wardenPid());
        r.put("previousStartedAt", prev.startedAt().toString());
        r.put("gatewaySurvived", seen == null ? null : survived);
        ledger.journal(r);
        if (seen != null && !survived) {
            LastShutdown ls = new LastShutdown(ShutdownCause.UNCLEAN, null, startedAt, null,
                    "previous warden run (pid " + prev.wardenPid() + ", started " + prev.startedAt()
                            + ") ended without a record; the gateway it last saw (pid " + seen.pid() + ") is gone");
            state = state.withLastShutdown(ls);
            ledger.save(state);
            ledger.journal(Ledger.shutdownRecord(ls));
            Logger.warn("last shutdown was unclean: {}", ls.detail());
        } else {
            Logger.warn("previous warden run (pid {}) ended without a record; the gateway {}", prev.wardenPid(),
                    seen == null ? "was not running then" : "kept running (pid " + seen.pid() + "), adopted");
        }
    }

    private void apply(BootPlan plan) throws IOException {
        if (plan.install()) {
            service.installFrom(template, plan.downFile());
        } else if (service.exists() && service.hasDownFile() != plan.downFile()) {
            service.setDownFile(plan.downFile());
        }
        if (plan.control() != null) send(plan.control());
        if (plan.rescan() && !scandir.rescan()) {
            Logger.warn("no s6-svscan control FIFO in {}: the service starts when a scanner runs", scandir.path());
        }
    }

    /** Sends s6-svc letters; returns null on success or what went wrong (the intent is already durable). */
    private String send(String letters) {
        try {
            service.control(letters);
            return null;
        } catch (ControlFifo.NotSupervisedException e) {
            Logger.warn("{}: ./down carries the intent until s6 supervises the gateway", e.getMessage());
            return e.getMessage();
        } catch (IOException e) {
            Logger.error("cannot control the gateway: {}", e.getMessage());
            return e.getMessage();
        }
    }

    private void loop() {
        while (true) {
            long wait = 60_000_000_000L;
            if (pending != null) wait = Math.min(wait, pending.remainingNanos(time.nanos()));
            if (backoffUntilNanos != 0) wait = Math.min(wait, backoffUntilNanos - time.nanos());
            wait = Math.max(0, wait);
            Runnable task;
            try {
                task = tasks.poll(wait, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (task != null) runGuarded(task);
            if (pending != null && pending.due(time.nanos())) finalizePending();
            if (backoffUntilNanos != 0 && time.nanos() - backoffUntilNanos >= 0) endBackoff();
            if (shutdownSignal != null) return;
        }
    }

    /** A defect in one task must not end the loop that every other decision depends on. */
    private static void runGuarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            Logger.error(e, "internal error in warden's decision loop (continuing): {}", e);
        }
    }

    private void onStatus(SupervisorStatus s) {
        status = s;
        notePresence();
        if (supervisor == SupervisorKind.NONE) redetectSupervisor();
        // readers see the new observed state before the fsyncs of the records below
        publish();
        GatewayRun now = runOf(s);
        boolean ended = currentRun != null && !currentRun.equals(now);
        if (ended && stillRunning(currentRun.pid())) {
            orphaned(currentRun.pid(), now);
        } else if (ended) {
            lastDeath = s;
            gatewayEnded(currentRun, s != null && s.up() ? null : s);
        } else if (s != null && s.pid() == 0 && (lastDeath != null || s.wstat() != 0)) {
            lastDeath = s;
        }
        if (now != null && !now.equals(currentRun)) {
            gatewayStarted(now);
            backoff.runStarted();
        }
        currentRun = now;
        publish();
    }

    private void gatewayStarted(GatewayRun r) {
        Map<String, Object> rec = Ledger.record("gateway-up");
        rec.put("pid", r.pid());
        ledger.journal(rec);
        Logger.info("gateway up, pid {}", r.pid());
        if (run != null) ledger.saveRun(run = run.withGateway(r));
    }

    private void gatewayEnded(GatewayRun r, SupervisorStatus endStatus) {
        Map<String, Object> rec = Ledger.record("gateway-exit");
        rec.put("pid", r.pid());
        String how = "ended";
        if (endStatus != null) {
            rec.put("exitCode", endStatus.exited() ? (long) endStatus.exitCode() : null);
            rec.put("signal", endStatus.exited() ? null : Signals.name(endStatus.termSignal()));
            how = endStatus.exited() ? "exited with code " + endStatus.exitCode()
                    : "was killed by " + Signals.name(endStatus.termSignal());
        }
        ledger.journal(rec);
        boolean asked = r.pid() == expectedEndPid;
        if (asked) expectedEndPid = 0;
        if (shutdownSignal != null) {
            Logger.info("gateway pid {} {} during warden's shutdown", r.pid(), how);
            forgetGatewayRun(r.pid());
        } else if (asked || state.intent().state() == IntentState.DOWN) {
            Logger.info("gateway pid {} {} as asked", r.pid(), how);
            forgetGatewayRun(r.pid());
        } else {
            // run.json keeps this run until the cause is written: a warden killed meanwhile leaves the next boot
            // a run it last saw and that is gone, which it records as unclean instead of losing the end
            if (pending != null) finalizePending();
            pending = PendingEnd.open(time, endStatus, r.pid(), signalWindowNanos);
            Logger.warn("gateway pid {} {} unasked; cause decided in {} ms unless warden's own signal follows",
                    r.pid(), how, signalWindowNanos / 1_000_000);
            boolean fatal = endStatus != null && endStatus.exited()
                    && endStatus.exitCode() == Observed.FATAL_CONFIG_EXIT;
            boolean wantedUp = endStatus == null || endStatus.wantUp();
            if (!fatal && wantedUp) holdRestartIfLooping();
        }
    }

    /** The service directory gone from the scandir is reported while it is gone (s6 supervises nothing then). */
    private void notePresence() {
        String prefix = "service directory " + service.path() + " is missing";
        if (service.exists()) {
            ledger.clearProblems(prefix);
        } else {
            ledger.problem(prefix + ": s6 supervises no gateway; warden reinstalls it at its next start, or"
                    + " run warden start");
        }
    }

    /** Whether a run s6 no longer reports is still alive: its s6-supervise was killed, the run was not. */
    private static boolean stillRunning(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * s6-svscan replaced a killed s6-supervise, and the new one started a second gateway while the first runs on,
     * unsupervised. That run did not end: no crash, no back-off, and the last shutdown stays as it was. The orphan
     * is reported until it exits; README says what an operator does.
     */
    private void orphaned(long pid, GatewayRun now) {
        String p = "gateway pid " + pid + " runs outside s6's supervision (its s6-supervise was killed"
                + (now == null ? "" : "; s6 started pid " + now.pid() + " beside it")
                + "): kill " + pid + " once the supervised gateway serves";
        orphans.put(pid, p);
        ledger.problem(p);
        Map<String, Object> rec = Ledger.record("gateway-orphaned");
        rec.put("pid", pid);
        ledger.journal(rec);
        forgetGatewayRun(pid);
        ProcessHandle.of(pid).ifPresent(h -> h.onExit().thenRun(() -> tasks.add(() -> orphanGone(pid))));
    }

    private void orphanGone(long pid) {
        String p = orphans.remove(pid);
        if (p == null) return;
        ledger.clearProblems(p);
        Logger.info("unsupervised gateway pid {} has exited", pid);
        publish();
    }

    /** Follows the s6-svscan found at detection: when it exits, {@code supervisor} is detected again. */
    private void watchSupervisor() {
        long pid = supervisor == SupervisorKind.S6_OVERLAY ? 1 : procs.find("s6-svscan", scandir.path());
        if (pid == 0) return;
        ProcessHandle.of(pid).ifPresent(h -> h.onExit().thenRun(() -> tasks.add(this::redetectSupervisor)));
    }

    private void redetectSupervisor() {
        SupervisorKind now = SupervisorKind.detect(procs, scandir.path(), settings.path(Setting.S6_OVERLAY_BASEDIR));
        String prefix = "no s6-svscan serves " + scandir.path();
        if (now == SupervisorKind.NONE) {
            ledger.problem(prefix + ": a gateway that ends is not restarted");
        } else {
            ledger.clearProblems(prefix);
        }
        if (now == supervisor) return;
        Logger.warn("supervisor is now {} (was {})", now.wire(), supervisor.wire());
        supervisor = now;
        if (now != SupervisorKind.NONE) watchSupervisor();
        publish();
    }

    /**
     * A gateway that keeps dying gets its restarts held, longer each time: s6 is told to stop wanting it up
     * ({@code O}, which kills nothing) and warden sends {@code u} when the hold ends. ./down and the intent are
     * untouched, so a warden that dies meanwhile leaves the next boot to try again.
     */
    private void holdRestartIfLooping() {
        long hold = backoff.onDeath();
        if (hold == 0) return;
        if (send("O") != null) return;
        backoffUntilNanos = time.nanos() + hold * 1_000_000L;
        Map<String, Object> rec = Ledger.record("backoff");
        rec.put("holdMillis", hold);
        rec.put("consecutiveDeaths", (long) backoff.consecutiveDeaths());
        ledger.journal(rec);
        Logger.warn("gateway died {} times in a row: holding its restart for {} ms", backoff.consecutiveDeaths(), hold);
    }

    private void endBackoff() {
        backoffUntilNanos = 0;
        if (shutdownSignal == null && state.intent().state() == IntentState.UP) {
            Logger.info("restart hold over: starting the gateway");
            send("u");
        }
        publish();
    }

    private void cancelBackoff() {
        backoffUntilNanos = 0;
    }

    /** The run record stops naming a run once its end is accounted for (a newer run replaces it anyway). */
    private void forgetGatewayRun(long endedPid) {
        if (run != null && run.gateway() != null && run.gateway().pid() == endedPid) {
            ledger.saveRun(run = run.withGateway(null));
        }
    }

    private void finalizePending() {
        // warden's own hold clears s6's want-up; judge by the status at the death, not by the hold
        LastShutdown ls = pending.classify(backoffUntilNanos != 0 ? pending.endStatus() : status);
        long endedPid = pending.endedPid();
        pending = null;
        state = state.withLastShutdown(ls);
        ledger.save(state);
        ledger.journal(Ledger.shutdownRecord(ls));
        forgetGatewayRun(endedPid);
        Logger.warn("last shutdown: {} ({})", ls.cause().wire(), ls.detail());
        publish();
    }

    /** No socket, no status: end so that s6 restarts warden; the gateway and its records are left as they are. */
    private void onServerFailure() {
        onInternalFailure("socket server failure", DaemonExit.SERVER_FAILED);
    }

    private void onInternalFailure(String why, int code) {
        if (shutdownSignal != null) return;
        shutdownSignal = why;
        requests.stopping();
        exitCode = code;
        if (run != null) ledger.saveRun(run = run.endedBy(shutdownSignal, time.now()));
        Map<String, Object> rec = Ledger.record("warden-stop");
        rec.put("reason", shutdownSignal);
        rec.put("cause", "unchanged");
        ledger.journal(rec);
    }

    private void onSignal(String sig) {
        if (shutdownSignal != null) {
            Logger.info("{} during shutdown: ignored, the shutdown cause is already recorded", sig);
            return;
        }
        shutdownSignal = sig;
        requests.stopping();
        SupervisorStatus fresh = readStatusOrNull();
        if (fresh != null) status = fresh;
        LastShutdown ls = null;
        Instant now = time.now();
        if (pending != null) {
            ls = pending.asSignal(sig, time.nanos());
            pending = null;
        } else if (status != null && status.up() && status.pid() != expectedEndPid) {
            ls = new LastShutdown(ShutdownCause.SIGNAL, sig, now, null, "warden received " + sig
                    + " while the gateway (pid " + status.pid() + ") was up");
        }
        if (ls != null) {
            state = state.withLastShutdown(ls);
            ledger.save(state);
        }
        if (run != null) ledger.saveRun(run = run.endedBy(sig, now));
        Map<String, Object> rec = ls != null ? Ledger.shutdownRecord(ls) : Ledger.record("shutdown");
        rec.put("event", "warden-stop");
        rec.put("signal", sig);
        if (ls == null) rec.put("cause", "unchanged");
        ledger.journal(rec);
        Logger.info("{} received: {}; intent stays {}", sig,
                ls == null ? "gateway was not up, last shutdown left as it was" : "last shutdown recorded as signal",
                state.intent().state().wire());
        publish();
    }

    // ---- changes of intent, on the loop -------------------------------------------------------------------

    private Map<String, Object> control(Operation op, Peer peer, String reason) {
        if (shutdownSignal != null) {
            return Protocol.error(ErrorCode.SHUTTING_DOWN, "warden is shutting down (" + shutdownSignal
                    + "); nothing was changed");
        }
        if (!ledger.writable()) {
            return Protocol.error(ErrorCode.STATE_WRITE_FAILED, "the state directory " + store.dir()
                    + " is not writable, so the intent cannot be recorded; nothing was changed");
        }
        if (pending != null) finalizePending();
        Instant now = time.now();
        SupervisorStatus fresh = readStatusOrNull();
        if (fresh != null) status = fresh;
        boolean running = status != null && status.up();
        IntentState target = op == Operation.STOP ? IntentState.DOWN : IntentState.UP;
        String why = reason != null ? reason : op == Operation.RESTART ? "restart" : null;
        ServiceState next = state.withIntent(Intent.byUser(target, now, peer.uid(), peer.pid(), why));
        if (running && op != Operation.START) {
            next = next.withLastShutdown(new LastShutdown(ShutdownCause.USER, null, now, null,
                    op == Operation.RESTART ? "restart" : "warden stop by uid " + peer.uid()
                            + (reason == null ? "" : ": " + reason)));
        }
        try {
            store.saveService(next);
        } catch (io.warden.state.DurableFile.NotDurableException e) {
            // the file already holds the new intent and a reader sees it: memory follows the file (a later save
            // of the old state would silently undo the user's intent), but nothing acts on a change not durable
            state = next;
            Logger.error("intent {} written but not durable: {}", target.wire(), e.getMessage());
            publish();
            return Protocol.error(ErrorCode.STATE_WRITE_FAILED, "the intent " + target.wire() + " was written to "
                    + store.serviceFile() + " but could not be made durable (" + Ledger.describe(e)
                    + "); s6 was not told: run the command again");
        } catch (IOException e) {
            Logger.error("could not record intent {}: {}", target.wire(), Ledger.describe(e));
            return Protocol.error(ErrorCode.STATE_WRITE_FAILED, "could not record the intent in " + store.dir()
                    + " (" + Ledger.describe(e) + "); nothing was changed");
        }
        state = next;
        ledger.serviceSaved();
        // the user has set an intent again: the damaged file's default no longer stands in for one
        ledger.clearProblems(DAMAGED_STATE);
        Map<String, Object> rec = Ledger.intentRecord("intent", state.intent());
        rec.put("op", op.wire());
        ledger.journal(rec);
        Logger.info("intent {} by uid {} (pid {}) via {}{}", target.wire(), peer.uid(), peer.pid(), op.wire(),
                reason == null ? "" : ": " + PrintableText.escape(reason));

        String failure = null;
        try {
            if (!service.exists()) {
                service.installFrom(template, target == IntentState.DOWN);
                scandir.rescan();
            }
            service.setDownFile(target == IntentState.DOWN);
        } catch (IOException e) {
            failure = "cannot update the service directory: " + Ledger.describe(e);
            Logger.error(failure);
        }
        if (failure == null) {
            cancelBackoff();
            if (op != Operation.STOP) backoff.reset();
            String letters = op == Operation.STOP ? "d" : op == Operation.RESTART && running ? "ut" : "u";
            failure = send(letters);
            // only a run s6 was really told to end is expected to end; a start leaves an earlier stop's
            // expectation alone, since that run still goes down
            if (failure == null && running && op != Operation.START) expectedEndPid = status.pid();
        }
        publish();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("intent", state.intent().toJson());
        r.put("previousPid", running ? status.pid() : null);
        r.put("applied", failure == null);
        r.put("message", failure == null ? "intent recorded and sent to s6" : "intent recorded; " + failure);
        return Protocol.ok(r);
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private void publish() {
        LastShutdown shown = pending != null
                ? pending.classify(backoffUntilNanos != 0 ? pending.endStatus() : status) : state.lastShutdown();
        requests.publish(new Snapshot(state, shown, status, supervisor, wardenPid, startedAt, ledger.problems(),
                backoffUntilNanos != 0, pending != null, lastDeath));
    }

    /** A new problem changes what status reports; before the first publish there is nothing to update. */
    private void republish() {
        if (requests.published()) publish();
    }

    private SupervisorStatus readStatusOrNull() {
        try {
            return service.readStatus();
        } catch (IOException | RuntimeException e) {
            // a status file warden cannot use is reported and treated as no status (observed unknown)
            Logger.warn("cannot read {}/supervise/status: {}", service.path(), e.getMessage());
            return null;
        }
    }

    private static GatewayRun runOf(SupervisorStatus s) {
        return s != null && s.up() ? new GatewayRun(s.pid(), s.stampLabel()) : null;
    }

    private void close() {
        try {
            if (watcher != null) watcher.close();
            if (server != null) server.close();
            if (lock != null) lock.close();
        } catch (IOException e) {
            Logger.warn("while closing: {}", e.getMessage());
        }
        requests.close();
    }
}

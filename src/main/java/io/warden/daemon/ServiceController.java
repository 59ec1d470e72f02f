package io.warden.daemon;

import io.warden.api.ErrorCode;
import io.warden.api.Operation;
import io.warden.api.Peer;
import io.warden.text.PrintableText;
import io.warden.api.Protocol;
import io.warden.state.ServiceName;
import io.warden.event.Event;
import io.warden.s6.ControlResult;
import io.warden.s6.ServiceDirectory;
import io.warden.s6.Signals;
import io.warden.s6.SupervisorKind;
import io.warden.s6.SupervisorStatus;
import io.warden.s6.TemplateCatalog;
import io.warden.state.GatewayRun;
import io.warden.state.Intent;
import io.warden.state.IntentSource;
import io.warden.state.IntentState;
import io.warden.state.LastShutdown;
import io.warden.state.RunRecord;
import io.warden.state.ServiceState;
import io.warden.state.ShutdownCause;
import io.warden.state.StateStore;
import org.tinylog.Logger;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One service warden keeps: its durable state, what s6 shows of it, and the rules at the edges for its runs
 * (causes, the signal window, the crash back-off). Every method runs on the daemon's decision loop; the daemon
 * keeps one controller per service and hands each its events.
 */
final class ServiceController {
    private static final String DAMAGED_STATE = "state file damaged: ";
    /** s6 spaces restarts at least 1 s apart; two such restarts are left to it before warden holds any. */
    private static final int FREE_RESTARTS = 2;
    private static final long BACKOFF_INITIAL_MILLIS = 1000;
    /** A run this long proves the service healthy again and clears the crash count. */
    private static final long BACKOFF_RESET_MILLIS = 30_000;
    /** How long a start that installs a service waits for s6-svscan to start its supervisor. */
    private static final long NEW_SUPERVISOR_WAIT_MILLIS = 2_000;

    private final String name;
    /** Null when the template is gone (an upgrade removed it): the service is kept and reported, never installed. */
    private final TemplateCatalog.Template template;
    private final ServiceDirectory service;
    private final ServiceContext ctx;
    private final CrashBackoff backoff;

    private ServiceState state;
    private SupervisorStatus status;
    private GatewayRun currentRun;
    /** The status at the last end of a run warden knows of, or null when no run has ended (lastExit). */
    private SupervisorStatus lastDeath;
    /** Runs whose s6-supervise was killed: still running, no longer supervised (pid to its problem). */
    private final Map<Long, String> orphans = new LinkedHashMap<>();
    /** When a held restart is due (the time source's nanos), or 0 when no restart is held. */
    private long backoffUntilNanos;
    private PendingEnd pending;
    /** The pid of a run warden itself asked s6 to end (stop, restart), 0 when none; its end is no crash. */
    private long expectedEndPid;
    /**
     * A restart's run ended by its {@code d}: {@code u} follows once s6 shows it fully down (the finish script
     * done), since a finish that exits 125 clears s6's want-up and would undo a {@code u} sent earlier.
     */
    private boolean upAfterEnd;
    private boolean shuttingDown;
    /** Whether this boot's intent was read from the volume (false: a first intent, set and recorded at this boot). */
    private boolean intentWasRecorded;
    /** Why the recorded intent cannot be read (the volume or the file), or null when it was read or there is none. */
    private String unreadable;

    ServiceController(String name, TemplateCatalog.Template template, ServiceContext ctx) {
        this.name = name;
        this.template = template;
        this.service = ctx.scandir().service(name);
        this.ctx = ctx;
        this.backoff = new CrashBackoff(ctx.time(), FREE_RESTARTS, BACKOFF_INITIAL_MILLIS, ctx.backoffMaxMillis(),
                BACKOFF_RESET_MILLIS);
    }

    String name() {
        return name;
    }

    ServiceDirectory directory() {
        return service;
    }

    boolean templateMissing() {
        return template == null;
    }

    /** An s6-rc longrun of the image: s6-rc installs and starts it, warden keeps its intent. */
    boolean s6rc() {
        return template != null && template.s6rc();
    }

    /** Where the service is defined: {@code s6-rc}, {@code template} or {@code instance}. */
    String definedBy() {
        return s6rc() ? "s6-rc" : ServiceName.isInstance(name) ? "instance" : "template";
    }

    /** Why the recorded intent cannot be read, or null. While it cannot, warden starts nothing of this service. */
    String unreadable() {
        return unreadable;
    }

    ServiceState state() {
        return state;
    }

    IntentState desired() {
        return state.intent().state();
    }

    // ---- boot -----------------------------------------------------------------------------------------------

    /**
     * Loads the recorded state, or records the first intent ({@code down} when the template holds s6's
     * {@code down}, else {@code dflt}).
     */
    void load(IntentState dflt, Instant now) {
        load(dflt, now, null);
    }

    /**
     * As {@link #load(IntentState, Instant)}; {@code imports}, when given, supplies the first intent of a service
     * that has no state file at all ({@code WARDEN_IMPORT}): never over a recorded intent, nor over a damaged file
     * (an intent warden held and cannot read).
     */
    void load(IntentState dflt, Instant now, io.warden.imports.HermesImport imports) {
        StateStore.Loaded<ServiceState> loaded = ctx.store().loadService(name);
        IntentState first = template != null && template.downByDefault() ? IntentState.DOWN : dflt;
        if (loaded.unreadable()) {
            // never replaced by a guess: nothing of this service is started until the intent can be read
            unreadable = loaded.problem();
            state = new ServiceState(name, Intent.byDefault(IntentState.DOWN, now), null);
            // one log line: the ledger logs the problem as it lists it under degraded
            ctx.ledger().problem(unreadableProblem() + "; read again every 5 s");
            return;
        }
        if (loaded.damaged()) {
            ctx.ledger().problem(DAMAGED_STATE + loaded.problem() + "; using " + name + "'s first intent "
                    + first.wire() + " until a user sets an intent");
        }
        if (loaded.value() != null) {
            state = loaded.value();
            intentWasRecorded = true;
            return;
        }
        Intent imported = imports != null && !loaded.damaged() ? imports.firstIntent(name, now) : null;
        state = new ServiceState(name, imported != null ? imported : Intent.byDefault(first, now), null);
        if (loaded.damaged()) {
            state = state.withIntent(new Intent(first, IntentSource.DEFAULT, now, null, null,
                    "state file damaged, default applied: " + loaded.problem()));
        }
        if (ctx.ledger().save(state)) emit(new Event.IntentSet(name, state.intent(), null));
    }

    private String unreadableProblem() {
        return "intent of " + name + " cannot be read: " + unreadable + "; " + name + " is not started until it can be";
    }


    /**
     * Reads an intent that could not be read at boot again; true once it could (the recorded one, or the first
     * intent when there is no file at all), and the boot plan is to be applied again.
     */
    boolean retryUnreadable(IntentState dflt, Instant now) {
        if (unreadable == null) return false;
        String before = unreadableProblem();
        StateStore.Loaded<ServiceState> loaded = ctx.store().loadService(name);
        if (loaded.unreadable()) return false;
        unreadable = null;
        ctx.ledger().clearProblems(before);
        load(dflt, now, null);
        Logger.info("{}: its intent can be read again: {} ({})", name, state.intent().state().wire(),
                state.intent().source().wire());
        return true;
    }

    /** Creates a new instance's state with intent up by the user who started it (nothing is written yet). */
    void create(Intent intent) {
        state = new ServiceState(name, intent, null);
    }

    /** The cause a committed stop left in the run record, taken as this service's; the daemon writes it. */
    ServiceState foldCause(LastShutdown ls) {
        state = state.withLastShutdown(ls);
        return state;
    }

    /** Reads what s6 shows before the boot plan; removes staging directories a killed warden left. */
    void observe() throws IOException {
        // a service whose template is gone may still run in s6 (installed before the template went): what s6 shows
        // is read all the same, so that the judgements of its last run (unclean, forced) are about that run
        if (template == null && !service.exists()) return;
        if (!s6rc()) service.removeStaleStaging();
        status = readStatusOrNull();
        // a wait status other than 0 is a death; 0 is also what a supervisor that never started the run writes
        if (status != null && status.pid() == 0 && status.wstat() != 0) lastDeath = status;
    }

    /** The previous warden run left no record: a whole-container kill ended this service's run, a warden-only one did not. */
    void judgeUncleanEnd(RunRecord prev, GatewayRun seen, Instant now) {
        if (seen == null) return;
        boolean survived = seen.equals(runOf(status));
        if (survived) {
            Logger.info("{}: kept running through warden's unclean end (pid {}), adopted", name, seen.pid());
            return;
        }
        LastShutdown ls = new LastShutdown(ShutdownCause.UNCLEAN, null, now, null,
                "previous warden run (pid " + prev.wardenPid() + ", started " + prev.startedAt()
                        + ") ended without a record; the " + name + " run it last saw (pid " + seen.pid() + ") is gone");
        state = state.withLastShutdown(ls);
        ctx.ledger().save(state);
        emit(new Event.ServiceEnd(name, ls, false, true));
        Logger.warn("{}: last shutdown was unclean: {}", name, ls.detail());
    }

    /**
     * The witness of the previous stop (a signal shutdown) saw how the run that was up then ended: one that ignored
     * its SIGTERM and was killed at the end of the stop's grace keeps its {@code signal} cause, marked forced. A run
     * that is still running (warden alone was stopped) is left alone.
     */
    void judgeWitnessedEnd(StopWitness.Outcome w, GatewayRun seen) {
        LastShutdown ls = state.lastShutdown();
        if (ls == null || ls.cause() != ShutdownCause.SIGNAL || ls.forcedKill() || !ls.at().toString().equals(w.at())) return;
        if (seen == null || seen.pid() != w.pid() || seen.equals(runOf(status)) || !w.forced()) return;
        LastShutdown forced = ls.forced(w.killedBySigkill()
                ? "pid " + w.pid() + " ignored SIGTERM and s6 killed it with SIGKILL at the end of the stop's grace"
                : "pid " + w.pid() + " was still running when the container stop killed every process (SIGKILL at the"
                        + " end of S6_KILL_GRACETIME, or Docker's own kill): it ignored its SIGTERM");
        state = state.withLastShutdown(forced);
        ctx.ledger().save(state);
        emit(new Event.ServiceEnd(name, forced, false, true));
        Logger.warn("{}: last shutdown was forced: {}", name, forced.detail());
    }

    /**
     * The previous warden stopped cleanly with no run of this service up, and s6 shows an end after that stop: a
     * run started and ended while no warden ran. It is journaled, so the history does not skip it.
     */
    void judgeEndWhileDown(RunRecord prev, GatewayRun seen) {
        if (template == null || prev == null || !prev.ended() || seen != null) return;
        // lastDeath: s6 shows a real end (a wait status other than 0), not a supervisor that never started a run
        if (lastDeath == null || lastDeath != status || !status.stamp().isAfter(prev.endedAt())) return;
        Integer code = status.exited() ? status.exitCode() : null;
        String signal = status.exited() ? null : Signals.name(status.termSignal());
        emit(new Event.EndedWhileDown(name, status.stamp(), code, signal));
        Logger.info("{}: a run ended at {} ({}) while warden was not running", name, status.stamp(),
                code != null ? "exit code " + code : "killed by " + signal);
    }

    /** The pid of the run s6 shows up now, or 0. */
    long runningPid() {
        return status != null && status.up() ? status.pid() : 0;
    }

    /** Brings s6 in line with the intent (the boot plan); returns the plan's one line for the log. */
    String applyBootPlan(Instant now, GatewayRun seenBefore) throws IOException {
        return applyBootPlan(now, seenBefore, java.util.List.of());
    }

    /**
     * As {@link #applyBootPlan(Instant, GatewayRun)}; {@code heldBy} names the services this one depends on whose
     * intent is down (s6-rc services): it is then kept down whatever its own intent. An s6-rc service that should
     * be up and is not is left to the daemon, which brings it up through s6-rc with its dependencies.
     */
    String applyBootPlan(Instant now, GatewayRun seenBefore, java.util.List<String> heldBy) throws IOException {
        if (template == null) {
            currentRun = runOf(status);
            Logger.warn("{}: its template is gone; kept on the volume (intent {}), not installed", name,
                    state.intent().state().wire());
            return "template missing: not installed";
        }
        if (unreadable != null) {
            // not started: a template's slot goes in with ./down so s6 supervises it once the intent is known
            if (!s6rc() && !service.exists()) {
                service.installFrom(template.dir(), true, instancePart());
                ctx.scandir().rescan();
            }
            currentRun = runOf(status);
            Logger.warn("boot: {} intent unknown: {}", name, unreadable);
            return "intent unknown: not started";
        }
        boolean present = service.exists();
        boolean supervised = present && service.supervised(ctx.procs());
        IntentState wanted = heldBy.isEmpty() ? state.intent().state() : IntentState.DOWN;
        BootPlan plan = BootPlan.decide(wanted, present, supervised, status);
        if (s6rc()) return applyS6RcBootPlan(plan, now, seenBefore, heldBy);
        if (plan.install()) {
            service.installFrom(template.dir(), plan.downFile(), instancePart());
        } else if (service.exists() && service.hasDownFile() != plan.downFile()) {
            service.setDownFile(plan.downFile());
        }
        if (plan.control() != null) send(plan.control());
        if (plan.rescan() && !ctx.scandir().rescan()) {
            Logger.warn("no s6-svscan control FIFO in {}: {} starts when a scanner runs", ctx.scandir().path(), name);
        }
        currentRun = runOf(status);
        if (currentRun != null) backoff.runAdopted(java.time.Duration.between(status.stamp(), now).toMillis());
        if (currentRun != null && !currentRun.equals(seenBefore)) {
            // started before warden (the early start, or s6 alone): the journal still gets its start
            emit(new Event.ServiceUp(name, currentRun.pid(), true));
        }
        Logger.info("boot: {} intent {} ({}): {}", name, state.intent().state().wire(), provenance(), plan.why());
        return plan.why();
    }

    /**
     * An s6-rc service's boot: s6-rc installed it and started it or not (the stage-2 hook decided); warden only
     * stops one that runs against its intent (no hook ran) and leaves a start to the daemon's s6-rc bring-up.
     */
    private String applyS6RcBootPlan(BootPlan plan, Instant now, GatewayRun seenBefore, java.util.List<String> heldBy) {
        String why;
        if ("d".equals(plan.control())) {
            stopRun("boot");
            why = heldBy.isEmpty() ? "running but intent is down: stopping it"
                    : "running but held by " + String.join(", ", heldBy) + ": stopping it";
        } else if ("u".equals(plan.control()) || !service.exists()) {
            why = "down but intent is up: starting it through s6-rc";
        } else if (!heldBy.isEmpty()) {
            why = "held by " + String.join(", ", heldBy) + " (intent down): left down";
        } else {
            why = plan.downFile() ? "down, as its intent says" : "running, as its intent says: adopted untouched";
        }
        currentRun = runOf(status);
        if (currentRun != null && !currentRun.equals(seenBefore)) emit(new Event.ServiceUp(name, currentRun.pid(), true));
        Logger.info("boot: {} (s6-rc) intent {} ({}): {}", name, state.intent().state().wire(), provenance(), why);
        return why;
    }

    /** ./down, then {@code d}: the run now up is expected to end (no crash). */
    private void stopRun(String why) {
        try {
            if (service.exists()) service.setDownFile(true);
        } catch (IOException e) {
            Logger.error("{}: cannot create ./down ({}): {}", name, why, Ledger.describe(e));
        }
        if (send("d").sent() && status != null && status.up()) expectedEndPid = status.pid();
    }

    /**
     * An s6-rc service something it depends on was stopped by a user: it goes down with it (as {@code s6-rc -d
     * change} would take it), its own intent unchanged; the end of its run is the user's, held by {@code by}.
     * Returns true when a run was up and was told to end.
     */
    boolean holdDown(String by, Peer peer) {
        SupervisorStatus fresh = readStatusOrNull();
        if (fresh != null) status = fresh;
        boolean running = status != null && status.up();
        if (running && unreadable == null) {
            LastShutdown ls = new LastShutdown(ShutdownCause.USER, null, ctx.time().now(), null,
                    "held by " + by + ": warden stop of " + by + " by uid " + peer.uid());
            state = state.withLastShutdown(ls);
            ctx.ledger().save(state);
        }
        stopRun("held by " + by);
        return running;
    }

    /** The {@code run} of this service's definition (template, instance template or s6-rc source), or null. */
    java.nio.file.Path runFile() {
        return template == null ? null : template.dir().resolve("run");
    }

    /** Whether s6 shows this service up or wanted up (a run, or one about to start). */
    boolean active() {
        return status != null && (status.pid() != 0 || status.wantUp());
    }

    GatewayRun currentRun() {
        return currentRun;
    }

    /** Where the boot's intent came from, in words true for the log: recorded, imported now, or the default now. */
    private String provenance() {
        Intent i = state.intent();
        if (intentWasRecorded) return "recorded on the volume, set by " + i.source().wire();
        if (i.source() == IntentSource.IMPORTED) return "nothing recorded: first intent imported from " + i.importedFrom().file();
        return "nothing recorded: first intent by default";
    }

    private String instancePart() {
        return ServiceName.isInstance(name) ? ServiceName.instancePart(name) : null;
    }

    // ---- what s6 shows --------------------------------------------------------------------------------------

    void onStatus(SupervisorStatus s) {
        status = s;
        notePresence();
        GatewayRun now = runOf(s);
        boolean ended = currentRun != null && !currentRun.equals(now);
        if (ended && stillRunning(currentRun.pid())) {
            orphaned(currentRun.pid(), now);
        } else if (ended) {
            lastDeath = s;
            ended(currentRun, s != null && s.up() ? null : s);
        } else if (s != null && s.pid() == 0 && (lastDeath != null || s.wstat() != 0)) {
            lastDeath = s;
        }
        if (now != null && !now.equals(currentRun)) {
            started(now);
            backoff.runStarted();
        }
        currentRun = now;
        if (upAfterEnd && s != null && s.pid() == 0 && !s.finishing()) restartUp();
    }

    /** The second half of a restart: the old run and its finish are over, s6 is told to start it again. */
    private void restartUp() {
        upAfterEnd = false;
        if (shuttingDown || state.intent().state() != IntentState.UP) return;
        Logger.info("{}: restart: the run has ended, starting it", name);
        send("u");
    }

    /** The service directory gone from the scandir is reported while it is gone (s6 supervises nothing then). */
    private void notePresence() {
        String prefix = "service directory " + service.path() + " is missing";
        if (service.exists()) {
            ctx.ledger().clearProblems(prefix);
        } else {
            ctx.ledger().problem(prefix + ": s6 supervises no " + name + "; warden reinstalls it at its next start,"
                    + " or run warden start " + name);
        }
    }

    /** Whether a run s6 no longer reports is still alive: its s6-supervise was killed, the run was not. */
    private static boolean stillRunning(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * s6-svscan replaced a killed s6-supervise, and the new one started a second run while the first runs on,
     * unsupervised. That run did not end: no crash, no back-off, and the last shutdown stays as it was. The orphan
     * is reported until it exits; README says what an operator does.
     */
    private void orphaned(long pid, GatewayRun now) {
        String p = name + " pid " + pid + " runs outside s6's supervision (its s6-supervise was killed"
                + (now == null ? "" : "; s6 started pid " + now.pid() + " beside it")
                + "): kill " + pid + " once the supervised " + name + " serves";
        orphans.put(pid, p);
        ctx.ledger().problem(p);
        emit(new Event.Orphaned(name, pid));
        forgetRun(pid);
        ProcessHandle.of(pid).ifPresent(h -> h.onExit().thenRun(() -> ctx.loop().accept(() -> orphanGone(pid))));
    }

    private void orphanGone(long pid) {
        String p = orphans.remove(pid);
        if (p == null) return;
        ctx.ledger().clearProblems(p);
        Logger.info("unsupervised {} pid {} has exited", name, pid);
    }

    private void started(GatewayRun r) {
        emit(new Event.ServiceUp(name, r.pid(), false));
        Logger.info("{} up, pid {}", name, r.pid());
        ctx.runs().seen(name, r);
    }

    private void ended(GatewayRun r, SupervisorStatus endStatus) {
        String how = "ended";
        if (endStatus != null) {
            how = endStatus.exited() ? "exited with code " + endStatus.exitCode()
                    : "was killed by " + Signals.name(endStatus.termSignal());
        }
        emit(new Event.ServiceExited(name, r.pid(), endStatus != null,
                endStatus != null && endStatus.exited() ? endStatus.exitCode() : null,
                endStatus != null && !endStatus.exited() ? Signals.name(endStatus.termSignal()) : null));
        boolean asked = r.pid() == expectedEndPid;
        if (asked) expectedEndPid = 0;
        if (shuttingDown) {
            Logger.info("{} pid {} {} during warden's shutdown", name, r.pid(), how);
            forgetRun(r.pid());
        } else if (asked || state.intent().state() == IntentState.DOWN) {
            Logger.info("{} pid {} {} as asked", name, r.pid(), how);
            if (asked && killedBySigkill(endStatus)) noteForcedStop(r.pid());
            forgetRun(r.pid());
            // the cause (user) went to the volume with the intent: the stream still shows the end with it
            if (asked && state.lastShutdown() != null) emit(new Event.ServiceEnd(name, state.lastShutdown(), false, false));
        } else {
            // the run record keeps this run until the cause is written: a warden killed meanwhile leaves the next
            // boot a run it last saw and that is gone, which it records as unclean instead of losing the end
            if (pending != null) finalizePending();
            pending = PendingEnd.open(ctx.time(), endStatus, r.pid(), ctx.signalWindowNanos());
            Logger.warn("{} pid {} {} unasked; cause decided in {} ms unless warden's own signal follows", name,
                    r.pid(), how, ctx.signalWindowNanos() / 1_000_000);
            boolean fatal = endStatus != null && endStatus.exited()
                    && endStatus.exitCode() == Observed.FATAL_CONFIG_EXIT;
            boolean wantedUp = endStatus == null || endStatus.wantUp();
            if (!fatal && wantedUp) holdRestartIfLooping();
            emit(new Event.ServiceEnd(name, provisionalCause(), true, false));
        }
    }

    private static boolean killedBySigkill(SupervisorStatus s) {
        return s != null && !s.exited() && s.termSignal() == Signals.SIGKILL;
    }

    /**
     * A run warden asked to end (stop, restart) ignored its SIGTERM and s6 killed it after the service's
     * {@code timeout-kill}: the user cause stays, and says it was forced.
     */
    private void noteForcedStop(long pid) {
        LastShutdown ls = state.lastShutdown();
        if (ls == null || ls.cause() != ShutdownCause.USER || ls.forcedKill()) return;
        LastShutdown forced = ls.forced("pid " + pid + " ignored SIGTERM and was killed by SIGKILL after the service's "
                + "timeout-kill");
        state = state.withLastShutdown(forced);
        ctx.ledger().save(state);
        emit(new Event.ServiceEnd(name, forced, false, true));
        Logger.warn("{}: pid {} ignored SIGTERM; s6 ended it with SIGKILL (timeout-kill)", name, pid);
    }

    /**
     * A service that keeps dying gets its restarts held, longer each time: s6 is told to stop wanting it up
     * ({@code O}, which kills nothing) and warden sends {@code u} when the hold ends. ./down and the intent are
     * untouched, so a warden that dies meanwhile leaves the next boot to try again.
     */
    private void holdRestartIfLooping() {
        long hold = backoff.onDeath();
        if (hold == 0) return;
        if (!send("O").sent()) return;
        backoffUntilNanos = ctx.time().nanos() + hold * 1_000_000L;
        emit(new Event.BackoffHeld(name, hold, backoff.consecutiveDeaths()));
        Logger.warn("{} died {} times in a row: holding its restart for {} ms", name, backoff.consecutiveDeaths(), hold);
    }

    /** Nanoseconds until {@link #tick} has work, or {@code Long.MAX_VALUE} when nothing waits. */
    long nanosToNextDeadline(long nowNanos) {
        long d = Long.MAX_VALUE;
        if (pending != null) d = pending.remainingNanos(nowNanos);
        if (backoffUntilNanos != 0) d = Math.min(d, backoffUntilNanos - nowNanos);
        return d;
    }

    /** Decides a pending cause whose window has passed and ends a restart hold that is over; true if anything changed. */
    boolean tick(long nowNanos) {
        boolean changed = false;
        if (pending != null && pending.due(nowNanos)) {
            finalizePending();
            changed = true;
        }
        if (backoffUntilNanos != 0 && nowNanos - backoffUntilNanos >= 0) {
            backoffUntilNanos = 0;
            boolean restart = !shuttingDown && state.intent().state() == IntentState.UP;
            if (restart) {
                Logger.info("{}: restart hold over: starting it", name);
                send("u");
            }
            emit(new Event.BackoffReleased(name, restart));
            changed = true;
        }
        return changed;
    }

    /**
     * The run record stops naming a run once its end is accounted for; not when a newer run already replaced it (a
     * crash's cause is decided after the window, by which time s6 may have started the next run).
     */
    private void forgetRun(long endedPid) {
        if (currentRun == null || currentRun.pid() == endedPid) ctx.runs().seen(name, null);
    }

    /** The cause of the pending end as it stands (decided when the window passes). */
    private LastShutdown provisionalCause() {
        // warden's own hold clears s6's want-up; judge by the status at the death, not by the hold
        return pending.classify(backoffUntilNanos != 0 ? pending.endStatus() : status);
    }

    private void finalizePending() {
        LastShutdown ls = provisionalCause();
        long endedPid = pending.endedPid();
        pending = null;
        state = state.withLastShutdown(ls);
        ctx.ledger().save(state);
        emit(new Event.ServiceEnd(name, ls, false, true));
        forgetRun(endedPid);
        Logger.warn("{}: last shutdown: {} ({})", name, ls.cause().wire(), ls.detail());
    }

    // ---- warden's own end -----------------------------------------------------------------------------------

    /**
     * warden got SIGTERM/SIGINT: a service that is up, or that went down unasked within the signal window, ends
     * by {@code signal}. Returns that cause, set in {@link #state()} for the daemon to write with every other
     * service's at once, or null when the last shutdown stays.
     */
    LastShutdown onSignal(String sig, Instant now) {
        shuttingDown = true;
        if (template == null) return null;
        SupervisorStatus fresh = readStatusOrNull();
        if (fresh != null) status = fresh;
        LastShutdown ls = null;
        if (pending != null) {
            ls = pending.asSignal(sig, ctx.time().nanos());
            pending = null;
        } else if (status != null && status.up() && status.pid() != expectedEndPid) {
            ls = new LastShutdown(ShutdownCause.SIGNAL, sig, now, null, "warden received " + sig
                    + " while " + name + " (pid " + status.pid() + ") was up");
        } else if (currentRun != null && !currentRun.equals(runOf(status)) && currentRun.pid() != expectedEndPid
                && state.intent().state() == IntentState.UP && unreadable == null) {
            // the run ended a moment ago and its end is still queued for the loop (the container stop takes every
            // service down at once): an end the signal follows within the window is the signal's
            ls = new LastShutdown(ShutdownCause.SIGNAL, sig, now, null, "warden received " + sig
                    + " just as " + name + " (pid " + currentRun.pid() + ") ended");
        }
        if (ls != null) state = state.withLastShutdown(ls);
        return ls;
    }

    /** warden ends for another reason (its socket failed): nothing is decided for the service. */
    void onWardenEnd() {
        shuttingDown = true;
    }

    // ---- changes of intent ----------------------------------------------------------------------------------

    /**
     * start, stop or restart: the intent is durable before s6 is touched, so a failed action never loses it.
     * Returns the protocol response.
     */
    Map<String, Object> control(Operation op, Peer peer, String reason, boolean creating) {
        // stopping needs no template: a service whose template is gone may still run, installed before it went
        if (template == null && op != Operation.STOP) {
            return Protocol.error(ErrorCode.TEMPLATE_MISSING, name + "'s template is gone from the image, so it "
                    + "cannot be run; its recorded intent is kept; nothing was changed");
        }
        if (pending != null) finalizePending();
        Instant now = ctx.time().now();
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
            ctx.store().saveService(next);
        } catch (io.warden.state.DurableFile.NotDurableException e) {
            // the file already holds the new intent and a reader sees it: memory follows the file (a later save
            // of the old state would silently undo the user's intent), but nothing acts on a change not durable
            state = next;
            Logger.error("{}: intent {} written but not durable: {}", name, target.wire(), e.getMessage());
            return Protocol.error(ErrorCode.STATE_WRITE_FAILED, "the intent " + target.wire() + " of " + name
                    + " was written to " + ctx.store().serviceFile(name) + " but could not be made durable ("
                    + Ledger.describe(e) + "); s6 was not told: run the command again");
        } catch (IOException e) {
            Logger.error("could not record intent {} of {}: {}", target.wire(), name, Ledger.describe(e));
            return Protocol.error(ErrorCode.STATE_WRITE_FAILED, "could not record the intent in "
                    + ctx.store().dir() + " (" + Ledger.describe(e) + "); nothing was changed");
        }
        state = next;
        ctx.ledger().serviceSaved(name);
        if (creating) {
            emit(new Event.InstanceCreated(name, ServiceName.templateOf(name), peer.uid()));
            Logger.info("instance {} created by uid {}", name, peer.uid());
        }
        // the user has set an intent again: the damaged file's default no longer stands in for one
        ctx.ledger().clearProblems(DAMAGED_STATE + ctx.store().serviceFile(name));
        emit(new Event.IntentSet(name, state.intent(), op.wire()));
        Logger.info("{}: intent {} by uid {} (pid {}) via {}{}", name, target.wire(), peer.uid(), peer.pid(), op.wire(),
                reason == null ? "" : ": " + PrintableText.escape(reason));

        unreadable = null;
        String failure = null;
        // a service whose template is gone is never installed again: its stop is only recorded when s6 has no slot
        boolean installed = template != null || service.exists();
        try {
            if (!service.exists() && s6rc()) {
                throw new java.nio.file.NoSuchFileException(service.path().toString(), null,
                        "s6-rc has no slot for " + name + " in the scandir");
            }
            if (!service.exists() && template != null) {
                service.installFrom(template.dir(), target == IntentState.DOWN, instancePart());
                // the letters below need the supervisor the rescan starts: wait for it rather than warn that none
                // serves yet (bounded: with no s6-svscan reading, the warning after the wait is the truth)
                if (ctx.scandir().rescan()) service.awaitSupervisor(NEW_SUPERVISOR_WAIT_MILLIS);
            }
            if (installed) service.setDownFile(target == IntentState.DOWN);
        } catch (IOException e) {
            failure = "cannot update the service directory: " + Ledger.describe(e);
            Logger.error("{}: {}", name, failure);
        }
        if (failure == null && installed) {
            backoffUntilNanos = 0;
            if (op != Operation.STOP) backoff.reset();
            // a restart is down, then up once the run has ended (restartUp): "ut" would leave a service whose
            // finish exits 125 (s6's permanent failure, Hermes's answer to a clean exit) down
            boolean downFirst = op == Operation.RESTART && running;
            if (op == Operation.STOP) upAfterEnd = false;
            String letters = op == Operation.STOP || downFirst ? "d" : "u";
            // an s6-rc service that is not running is brought up by the daemon through s6-rc, with what it needs
            if (s6rc() && !running && op != Operation.STOP) letters = "";
            ControlResult sent = letters.isEmpty() ? ControlResult.SENT : send(letters);
            if (!sent.sent()) failure = sent.detail();
            // only a run s6 was really told to end is expected to end; a start leaves an earlier stop's
            // expectation alone, since that run still goes down
            if (sent.sent() && running && op != Operation.START) expectedEndPid = status.pid();
            if (sent.sent() && downFirst) upAfterEnd = true;
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("service", name);
        r.put("intent", state.intent().toJson());
        r.put("previousPid", running ? status.pid() : null);
        r.put("applied", failure == null);
        r.put("message", failure != null ? "intent recorded; " + failure
                : installed ? "intent recorded and sent to s6" : "intent recorded; its template is gone and s6 runs none");
        return Protocol.ok(r);
    }

    /**
     * {@code warden remove} of an instance: stops it, takes its slot out of the scandir the s6 way (the supervisor
     * is told to exit once the run is down, then the directory goes), and forgets its state file. The slot goes
     * first: a warden killed in between finds the state file and re-installs the instance at its next boot.
     */
    Map<String, Object> remove(Peer peer) {
        if (pending != null) finalizePending();
        SupervisorStatus fresh = readStatusOrNull();
        if (fresh != null) status = fresh;
        boolean running = status != null && status.up();
        String failure = null;
        try {
            if (service.exists()) {
                service.setDownFile(true);
                if (send("dx").sent() && running) expectedEndPid = status.pid();
                service.uninstall();
                ctx.scandir().rescanAndReap();
            }
            ctx.store().forgetService(name);
        } catch (IOException e) {
            failure = Ledger.describe(e);
        }
        if (failure != null) {
            Logger.error("could not remove {}: {}", name, failure);
            return Protocol.error(ErrorCode.STATE_WRITE_FAILED, "could not remove " + name + " (" + failure + ")");
        }
        ctx.runs().seen(name, null);
        emit(new Event.InstanceRemoved(name, peer.uid(), running));
        Logger.info("instance {} removed by uid {}", name, peer.uid());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("service", name);
        r.put("removed", true);
        r.put("previousPid", running ? status.pid() : null);
        return Protocol.ok(r);
    }

    // ---- what status shows ----------------------------------------------------------------------------------

    Snapshot snapshot(SupervisorKind supervisor, long wardenPid, Instant wardenStartedAt,
                      java.util.List<String> problems, io.warden.state.Versions versions) {
        return snapshot(supervisor, wardenPid, wardenStartedAt, problems, versions, java.util.List.of());
    }

    Snapshot snapshot(SupervisorKind supervisor, long wardenPid, Instant wardenStartedAt,
                      java.util.List<String> problems, io.warden.state.Versions versions, java.util.List<String> heldBy) {
        return snapshot(supervisor, wardenPid, wardenStartedAt, problems, versions, heldBy, null);
    }

    Snapshot snapshot(SupervisorKind supervisor, long wardenPid, Instant wardenStartedAt,
                      java.util.List<String> problems, io.warden.state.Versions versions, java.util.List<String> heldBy,
                      String secondCopy) {
        LastShutdown shown = pending != null ? provisionalCause() : state.lastShutdown();
        return new Snapshot(state, shown, status, supervisor, wardenPid, wardenStartedAt,
                problems, backoffUntilNanos != 0, pending != null, lastDeath, template == null, !ctx.ledger().writable(),
                versions, new Snapshot.Placement(definedBy(), heldBy, unreadable, secondCopy));
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private void emit(Event e) {
        ctx.events().emit(e);
    }

    /** Sends s6-svc letters and logs what did not go (the intent is already durable). */
    private ControlResult send(String letters) {
        ControlResult r = service.control(letters, ctx.procs());
        switch (r.outcome()) {
            case SENT:
                break;
            case NOT_SUPERVISED:
            case NO_DIRECTORY:
                Logger.warn("{}: ./down carries the intent until s6 supervises {}", r.detail(), name);
                break;
            default:
                Logger.error("cannot control {}: {}", name, r.detail());
        }
        return r;
    }

    SupervisorStatus readStatusOrNull() {
        try {
            return service.readStatus();
        } catch (IOException | RuntimeException e) {
            // a status file warden cannot use is reported and treated as no status (observed unknown)
            Logger.warn("cannot read {}/supervise/status: {}", service.path(), e.getMessage());
            return null;
        }
    }

    static GatewayRun runOf(SupervisorStatus s) {
        return s != null && s.up() ? new GatewayRun(s.pid(), s.stampLabel()) : null;
    }
}

package io.warden.daemon;

import io.warden.api.Operation;
import io.warden.api.Peer;
import io.warden.lifecycle.Effect;
import io.warden.lifecycle.Input;
import io.warden.lifecycle.Life;
import io.warden.lifecycle.Lifecycle;
import io.warden.lifecycle.Now;
import io.warden.lifecycle.Rules;
import io.warden.lifecycle.Step;
import io.warden.s6.ControlLetter;
import io.warden.s6.ControlResult;
import io.warden.s6.ServiceDirectory;
import io.warden.s6.SupervisorKind;
import io.warden.s6.SupervisorStatus;
import io.warden.s6.TemplateCatalog;
import io.warden.state.GatewayRun;
import io.warden.state.Intent;
import io.warden.state.IntentState;
import io.warden.state.LastShutdown;
import io.warden.state.RunRecord;
import io.warden.state.ServiceName;
import io.warden.state.ServiceState;
import io.warden.state.Versions;
import org.tinylog.Logger;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One service warden keeps, at the edge: it feeds what s6 shows, the clock, requests and warden's own end to the
 * service's {@link Lifecycle} and carries out the effects it decides (the state file, s6's control FIFO, the event
 * spine, the run record). Every method runs on the daemon's decision loop; the daemon keeps one controller per
 * service and hands each its events.
 */
final class ServiceController {
    private final String name;
    /** Null when the template is gone (an upgrade removed it): the service is kept and reported, never installed. */
    private final TemplateCatalog.Template template;
    private final ServiceDirectory service;
    private final ServiceContext ctx;
    private final Lifecycle machine;
    private final ServiceRecord record;
    private final IntentChange change;
    private Life life = Life.first(IntentState.UP);
    private final Orphans orphans;
    private final ServiceSlot slot;
    /** What the last letters sent came to, or null when none were sent. */
    private ControlResult lastControl;

    ServiceController(String name, TemplateCatalog.Template template, ServiceContext ctx) {
        this.name = name;
        this.template = template;
        this.service = ctx.scandir().service(name);
        this.ctx = ctx;
        this.machine = new Lifecycle(name, Rules.of(ctx.signalWindowNanos(), ctx.backoffMaxMillis()));
        this.record = new ServiceRecord(name, template, ctx);
        this.change = new IntentChange(this, template, ctx);
        this.orphans = new Orphans(name, ctx);
        this.slot = new ServiceSlot(name, service, ctx);
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
        return record.unreadable();
    }

    ServiceState state() {
        return record.state();
    }

    IntentState desired() {
        return record.state().intent().state();
    }

    ServiceRecord record() {
        return record;
    }

    /** What s6 showed last (null: unknown). */
    SupervisorStatus status() {
        return life.facts().status();
    }

    // ---- boot -----------------------------------------------------------------------------------------------

    /**
     * Loads the recorded state, or records the first intent ({@code down} when the template holds s6's
     * {@code down}, else {@code dflt}).
     */
    void load(IntentState dflt, Instant now) {
        record.load(dflt, now, null);
    }

    /** As {@link #load(IntentState, Instant)}, with the first intents of {@code WARDEN_IMPORT} (may be null). */
    void load(IntentState dflt, Instant now, io.warden.imports.HermesImport imports) {
        record.load(dflt, now, imports);
    }

    /** Reads an intent that could not be read at boot again; true once it could (the boot plan is applied again). */
    boolean retryUnreadable(IntentState dflt, Instant now) {
        return record.retryUnreadable(dflt, now);
    }

    /** Creates a new instance's state with intent up by the user who started it (nothing is written yet). */
    void create(Intent intent) {
        record.set(new ServiceState(name, intent, null));
    }

    /** The cause a committed stop left in the run record, taken as this service's; the daemon writes it. */
    ServiceState foldCause(LastShutdown ls) {
        record.set(record.state().withLastShutdown(ls));
        return record.state();
    }

    /** Reads what s6 shows before the boot plan; removes staging directories a killed warden left. */
    void observe() throws IOException {
        // a service whose template is gone may still run in s6 (installed before the template went): what s6 shows
        // is read all the same, so that the judgements of its last run (unclean, forced) are about that run
        if (template == null && !service.exists()) return;
        if (!s6rc()) service.removeStaleStaging();
        feed(new Input.Found(readStatusOrNull()));
    }

    void judgeUncleanEnd(RunRecord prev, GatewayRun seen, Instant now) {
        record.judgeUncleanEnd(prev, seen, status(), now);
    }

    void judgeWitnessedEnd(StopWitness.Outcome w, GatewayRun seen) {
        record.judgeWitnessedEnd(w, seen, status());
    }

    void judgeEndWhileDown(RunRecord prev, GatewayRun seen) {
        record.judgeEndWhileDown(prev, seen, status(), life.facts().lastDeath());
    }

    /** The pid of the run s6 shows up now, or 0. */
    long runningPid() {
        return life.facts().running() ? status().pid() : 0;
    }

    /**
     * Brings s6 in line with the intent (the boot plan); returns the plan's one line for the log. {@code heldBy}
     * names the s6-rc services this one depends on whose intent is down: it is then kept down whatever its intent.
     */
    String applyBootPlan(Instant now, GatewayRun seenBefore, List<String> heldBy) throws IOException {
        return new BootPlanRun(this, template, ctx).apply(now, seenBefore, heldBy);
    }

    /** ./down, then {@code d}: the run now up is expected to end (no crash). {@code fresh}: status just read, or null. */
    void stopRun(String why, SupervisorStatus fresh) {
        try {
            if (service.exists()) service.setDownFile(true);
        } catch (IOException e) {
            Logger.error("{}: cannot create ./down ({}): {}", name, why, Ledger.describe(e));
        }
        feed(new Input.Request(Input.Ask.STOP, fresh, false));
    }

    /**
     * An s6-rc service something it depends on was stopped by a user: it goes down with it (as {@code s6-rc -d
     * change} would take it), its own intent unchanged; the end of its run is the user's, held by {@code by}.
     * Returns true when a run was up and was told to end.
     */
    boolean holdDown(String by, Peer peer) {
        return change.holdDown(by, peer);
    }

    /** The {@code run} of this service's definition (template, instance template or s6-rc source), or null. */
    java.nio.file.Path runFile() {
        return template == null ? null : template.dir().resolve("run");
    }

    /** Whether s6 shows this service up or wanted up (a run, or one about to start). */
    boolean active() {
        SupervisorStatus s = status();
        return s != null && (s.pid() != 0 || s.wantUp());
    }

    GatewayRun currentRun() {
        return life.phase().run();
    }

    String instancePart() {
        return ServiceName.isInstance(name) ? ServiceName.instancePart(name) : null;
    }

    // ---- what s6 shows, the clock, warden's own end ----------------------------------------------------------

    void onStatus(SupervisorStatus s) {
        slot.notePresence();
        GatewayRun known = life.phase().run();
        boolean alive = known != null && !known.equals(Life.runOf(s)) && stillRunning(known.pid());
        feed(new Input.Seen(s, alive));
    }

    /** Whether a run s6 no longer reports is still alive: its s6-supervise was killed, the run was not. */
    private static boolean stillRunning(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Nanoseconds until {@link #tick} has work, or {@code Long.MAX_VALUE} when nothing waits. */
    long nanosToNextDeadline(long nowNanos) {
        return life.nanosToDeadline(nowNanos);
    }

    /** Decides a pending cause whose window has passed and ends a restart hold that is over; true if anything changed. */
    boolean tick(long nowNanos) {
        return !feed(new Input.Tick(), new Now(nowNanos, ctx.time().now())).effects().isEmpty();
    }

    /**
     * warden got SIGTERM/SIGINT: a service that is up, or that went down unasked within the signal window, ends
     * by {@code signal}. Returns that cause, set in {@link #state()} for the daemon to write with every other
     * service's at once, or null when the last shutdown stays.
     */
    LastShutdown onSignal(String sig, Instant now) {
        if (template == null) {
            feed(new Input.WardenEnd());
            return null;
        }
        Step s = feed(new Input.Signal(sig, readStatusOrNull()), new Now(ctx.time().nanos(), now));
        for (Effect e : s.effects()) if (e instanceof Effect.RecordCause rc) return rc.cause();
        return null;
    }

    /** warden ends for another reason (its socket failed): nothing is decided for the service. */
    void onWardenEnd() {
        feed(new Input.WardenEnd());
    }

    // ---- changes of intent ----------------------------------------------------------------------------------

    /** start, stop or restart: the intent is durable before s6 is touched. Returns the protocol response. */
    Map<String, Object> control(Operation op, Peer peer, String reason, boolean creating) {
        return change.control(op, peer, reason, creating);
    }

    /** {@code warden remove} of an instance: stops it, takes its slot out of the scandir, forgets its state file. */
    Map<String, Object> remove(Peer peer) {
        return change.remove(peer);
    }

    // ---- what status shows ----------------------------------------------------------------------------------

    Snapshot snapshot(SupervisorKind supervisor, long wardenPid, Instant wardenStartedAt, List<String> problems,
                      Versions versions) {
        return snapshot(supervisor, wardenPid, wardenStartedAt, problems, versions, List.of(), null);
    }

    Snapshot snapshot(SupervisorKind supervisor, long wardenPid, Instant wardenStartedAt, List<String> problems,
                      Versions versions, List<String> heldBy, String secondCopy) {
        LastShutdown shown = life.pending() != null ? life.provisionalCause() : state().lastShutdown();
        return new Snapshot(state(), shown, status(), supervisor, wardenPid, wardenStartedAt,
                problems, life.held(), life.pending() != null, life.facts().lastDeath(), template == null,
                !ctx.ledger().writable(), versions,
                new Snapshot.Placement(definedBy(), heldBy, unreadable(), secondCopy));
    }

    // ---- carrying out -------------------------------------------------------------------------------------

    Step feed(Input in) {
        return feed(in, new Now(ctx.time().nanos(), ctx.time().now()));
    }

    Step feed(Input in, Instant wall) {
        return feed(in, new Now(ctx.time().nanos(), wall));
    }

    private Step feed(Input in, Now now) {
        lastControl = null;
        Step s = machine.step(record.into(life), in, now);
        life = s.life();
        carryOut(s.effects());
        return s;
    }

    /** What the letters of the last step came to, or null when it sent none. */
    ControlResult lastControl() {
        return lastControl;
    }

    private void carryOut(List<Effect> effects) {
        for (Effect e : effects) {
            if (e instanceof Effect.Control c) {
                ControlResult r = slot.send(c.letters());
                lastControl = r;
                if (r.sent()) carryOut(c.onSent());
                else if (c.ifNotSent() != null) life = life.withPhase(c.ifNotSent());
            } else if (e instanceof Effect.Emit m) {
                ctx.events().emit(m.event());
            } else if (e instanceof Effect.RecordCause rc) {
                record.set(record.state().withLastShutdown(rc.cause()));
                if (rc.write()) record.save();
            } else if (e instanceof Effect.RunSeen rs) {
                ctx.runs().seen(name, rs.run());
            } else if (e instanceof Effect.Orphan o) {
                orphans.add(o.pid(), o.problem());
            } else if (e instanceof Effect.Log l) {
                if (l.warning()) Logger.warn(l.message());
                else Logger.info(l.message());
            } else {
                throw new IllegalStateException("no edge carries out " + e);
            }
        }
    }

    ControlResult send(ControlLetter letter) {
        return slot.send(List.of(letter));
    }

    SupervisorStatus readStatusOrNull() {
        return slot.readStatusOrNull();
    }
}

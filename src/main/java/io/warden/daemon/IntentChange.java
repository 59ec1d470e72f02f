package io.warden.daemon;

import io.warden.api.ErrorCode;
import io.warden.api.Operation;
import io.warden.api.Peer;
import io.warden.api.Protocol;
import io.warden.event.Event;
import io.warden.lifecycle.Input;
import io.warden.s6.ControlResult;
import io.warden.s6.ServiceDirectory;
import io.warden.s6.SupervisorStatus;
import io.warden.s6.TemplateCatalog;
import io.warden.state.Intent;
import io.warden.state.IntentState;
import io.warden.state.LastShutdown;
import io.warden.state.ServiceName;
import io.warden.state.ServiceState;
import io.warden.state.ShutdownCause;
import io.warden.text.PrintableText;
import org.tinylog.Logger;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A user's change of one service's intent ({@code start}, {@code stop}, {@code restart}, {@code remove}, a
 * dependency's stop): the intent is made durable first, then the service directory follows, then the service's
 * life is asked to tell s6. A failed action never loses the intent.
 */
final class IntentChange {
    /** How long a start that installs a service waits for s6-svscan to start its supervisor. */
    private static final long NEW_SUPERVISOR_WAIT_MILLIS = 2_000;

    private final ServiceController c;
    private final TemplateCatalog.Template template;
    private final ServiceContext ctx;
    private final ServiceRecord record;
    private final ServiceDirectory service;
    private final String name;

    IntentChange(ServiceController c, TemplateCatalog.Template template, ServiceContext ctx) {
        this.c = c;
        this.template = template;
        this.ctx = ctx;
        this.record = c.record();
        this.service = ctx.scandir().service(c.name());
        this.name = c.name();
    }

    /** start, stop or restart; returns the protocol response. */
    Map<String, Object> control(Operation op, Peer peer, String reason, boolean creating) {
        // stopping needs no template: a service whose template is gone may still run, installed before it went
        if (template == null && op != Operation.STOP) {
            return Protocol.error(ErrorCode.TEMPLATE_MISSING, name + "'s template is gone from the image, so it "
                    + "cannot be run; its recorded intent is kept; nothing was changed");
        }
        c.feed(new Input.Settle());
        Instant now = ctx.time().now();
        SupervisorStatus fresh = c.readStatusOrNull();
        SupervisorStatus status = fresh != null ? fresh : c.status();
        boolean running = status != null && status.up();
        IntentState target = op == Operation.STOP ? IntentState.DOWN : IntentState.UP;
        String why = reason != null ? reason : op == Operation.RESTART ? "restart" : null;
        ServiceState next = record.state().withIntent(Intent.byUser(target, now, peer.uid(), peer.pid(), why));
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
            record.set(next);
            Logger.error("{}: intent {} written but not durable: {}", name, target.wire(), e.getMessage());
            return Protocol.error(ErrorCode.STATE_WRITE_FAILED, "the intent " + target.wire() + " of " + name
                    + " was written to " + ctx.store().serviceFile(name) + " but could not be made durable ("
                    + Ledger.describe(e) + "); s6 was not told: run the command again");
        } catch (IOException e) {
            Logger.error("could not record intent {} of {}: {}", target.wire(), name, Ledger.describe(e));
            return Protocol.error(ErrorCode.STATE_WRITE_FAILED, "could not record the intent in "
                    + ctx.store().dir() + " (" + Ledger.describe(e) + "); nothing was changed");
        }
        record.set(next);
        ctx.ledger().serviceSaved(name);
        if (creating) {
            ctx.events().emit(new Event.InstanceCreated(name, ServiceName.templateOf(name), peer.uid()));
            Logger.info("instance {} created by uid {}", name, peer.uid());
        }
        // the user has set an intent again: the damaged file's default no longer stands in for one
        ctx.ledger().clear(Problem.of(Problem.Kind.DAMAGED_STATE, name));
        ctx.events().emit(new Event.IntentSet(name, next.intent(), op.wire()));
        Logger.info("{}: intent {} by uid {} (pid {}) via {}{}", name, target.wire(), peer.uid(), peer.pid(), op.wire(),
                reason == null ? "" : ": " + PrintableText.escape(reason));
        record.readable();

        String failure = null;
        // a service whose template is gone is never installed again: its stop is only recorded when s6 has no slot
        boolean installed = template != null || service.exists();
        try {
            if (!service.exists() && c.s6rc()) {
                throw new java.nio.file.NoSuchFileException(service.path().toString(), null,
                        "s6-rc has no slot for " + name + " in the scandir");
            }
            if (!service.exists() && template != null) {
                service.installFrom(template.dir(), target == IntentState.DOWN, c.instancePart());
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
            Input.Ask ask = op == Operation.STOP ? Input.Ask.STOP
                    : op == Operation.RESTART ? Input.Ask.RESTART : Input.Ask.START;
            c.feed(new Input.Request(ask, fresh, c.s6rc()));
            ControlResult sent = c.lastControl();
            if (sent != null && !sent.sent()) failure = sent.detail();
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("service", name);
        r.put("intent", record.state().intent().toJson());
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
        c.feed(new Input.Settle());
        SupervisorStatus fresh = c.readStatusOrNull();
        SupervisorStatus status = fresh != null ? fresh : c.status();
        boolean running = status != null && status.up();
        String failure = null;
        try {
            if (service.exists()) {
                service.setDownFile(true);
                c.feed(new Input.Request(Input.Ask.REMOVE, fresh, false));
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
        ctx.events().emit(new Event.InstanceRemoved(name, peer.uid(), running));
        Logger.info("instance {} removed by uid {}", name, peer.uid());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("service", name);
        r.put("removed", true);
        r.put("previousPid", running ? status.pid() : null);
        return Protocol.ok(r);
    }

    /**
     * An s6-rc service something it depends on was stopped by a user: it goes down with it, its own intent
     * unchanged; the end of its run is the user's, held by {@code by}. Returns true when a run was up.
     */
    boolean holdDown(String by, Peer peer) {
        SupervisorStatus fresh = c.readStatusOrNull();
        SupervisorStatus status = fresh != null ? fresh : c.status();
        boolean running = status != null && status.up();
        if (running && record.unreadable() == null) {
            LastShutdown ls = new LastShutdown(ShutdownCause.USER, null, ctx.time().now(), null,
                    "held by " + by + ": warden stop of " + by + " by uid " + peer.uid());
            record.set(record.state().withLastShutdown(ls));
            record.save();
        }
        c.stopRun("held by " + by, fresh);
        return running;
    }
}

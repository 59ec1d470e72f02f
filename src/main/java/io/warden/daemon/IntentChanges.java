package io.warden.daemon;

import io.warden.api.ErrorCode;
import io.warden.api.Operation;
import io.warden.api.Peer;
import io.warden.api.Protocol;
import io.warden.s6.StatusWatcher;
import io.warden.s6.TemplateCatalog;
import io.warden.state.Intent;
import io.warden.state.IntentState;
import io.warden.state.ServiceName;
import org.tinylog.Logger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The changes of intent users ask for ({@code start}, {@code stop}, {@code restart}, {@code remove}), decided on
 * the loop: the service's own controller records and carries out the change; creating an instance, and the
 * s6-rc dependencies a change of an s6-rc service follows, are decided here.
 */
final class IntentChanges {
    private final ServiceTable services;
    private final ServiceContext context;
    private final WardenRun run;
    private final Ledger ledger;
    private final Path stateDir;
    private final CopyScan copies;
    private final TimeSource time;
    private final Runnable publish;
    /** Set at boot, once the watcher exists (no change is asked for before the socket serves). */
    private StatusWatcher watcher;

    IntentChanges(ServiceTable services, ServiceContext context, WardenRun run, Ledger ledger, Path stateDir,
                  CopyScan copies, TimeSource time, Runnable publish) {
        this.services = services;
        this.context = context;
        this.run = run;
        this.ledger = ledger;
        this.stateDir = stateDir;
        this.copies = copies;
        this.time = time;
        this.publish = publish;
    }

    void watcher(StatusWatcher w) {
        watcher = w;
    }

    Map<String, Object> change(Operation op, String service, Peer peer, String reason) {
        if (run.ending()) {
            return Protocol.error(ErrorCode.SHUTTING_DOWN, "warden is shutting down (" + run.endedBy()
                    + "); nothing was changed");
        }
        if (!ledger.writable()) {
            return Protocol.error(ErrorCode.STATE_WRITE_FAILED, "the state directory " + stateDir
                    + " is not writable, so the intent cannot be recorded; nothing was changed");
        }
        ServiceController c = services.get(service);
        boolean creating = false;
        if (c == null) {
            // the create path: a start of an instance whose template exists
            TemplateCatalog.Template t = op == Operation.START && ServiceName.isInstance(service)
                    ? services.catalog().templateFor(service) : null;
            if (t == null) {
                return Protocol.error(ErrorCode.UNKNOWN_SERVICE, "warden keeps no service '" + service + "'");
            }
            String full = services.refusal(service);
            if (full != null) return Protocol.error(ErrorCode.TOO_MANY_SERVICES, full);
            c = new ServiceController(service, t, context);
            c.create(Intent.byUser(IntentState.UP, time.now(), peer.uid(), peer.pid(), reason));
            creating = true;
        }
        Map<String, Object> answer;
        if (op == Operation.REMOVE) {
            answer = c.remove(peer);
            if (Boolean.TRUE.equals(answer.get("ok"))) {
                services.remove(service);
                copies.forget(service);
                watcher.remove(c.directory());
            }
        } else {
            if (c.s6rc() && op != Operation.STOP) startNeeded(c, peer);
            answer = c.control(op, peer, reason, creating);
            boolean ok = Boolean.TRUE.equals(answer.get("ok"));
            if (creating && ok) {
                services.put(c);
                copies.keep(c.name(), c.runFile());
                watcher.add(c.directory());
            }
            if (c.s6rc() && ok) answer = followDependencies(c, op, peer, answer);
        }
        publish.run();
        return answer;
    }

    /** {@code warden start X}: what X needs up and whose intent is down is started too (as s6-rc would). */
    private void startNeeded(ServiceController c, Peer peer) {
        for (String dep : services.s6rc().needs(c.name())) {
            ServiceController d = services.get(dep);
            if (d == null || !d.s6rc() || (d.unreadable() == null && d.desired() == IntentState.UP)) continue;
            d.control(Operation.START, peer, "needed by " + c.name(), false);
        }
    }

    /**
     * After an s6-rc service's intent changed: a stop takes down what depends on it (held, their intents
     * unchanged) and nothing else; a start brings it up through s6-rc, then what it held whose own intent is up.
     */
    private Map<String, Object> followDependencies(ServiceController c, Operation op, Peer peer,
                                                   Map<String, Object> answer) {
        List<String> holds = new ArrayList<>();
        S6RcKeeper s6rc = services.s6rc();
        if (op == Operation.STOP) {
            for (String dep : s6rc.dependents(c.name())) {
                ServiceController d = services.get(dep);
                if (d != null && d.s6rc()) {
                    d.holdDown(c.name(), peer);
                    holds.add(dep);
                } else if (d == null && s6rc.stopUnkept(dep)) {
                    holds.add(dep);
                }
            }
            if (!holds.isEmpty()) Logger.info("{} stopped: holds {}", c.name(), String.join(", ", holds));
        } else {
            services.bringUpIfWanted(c);
            List<String> dependents = new ArrayList<>(s6rc.dependents(c.name()));
            java.util.Collections.reverse(dependents);
            for (String dep : dependents) {
                ServiceController d = services.get(dep);
                if (d != null) services.bringUpIfWanted(d);
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) answer.get("result");
        Map<String, Object> r = new LinkedHashMap<>(result);
        r.put("holds", holds);
        return Protocol.ok(r);
    }
}

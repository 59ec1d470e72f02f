package io.warden.daemon;

import io.warden.lifecycle.Input;
import io.warden.s6.ControlLetter;
import io.warden.s6.ServiceDirectory;
import io.warden.s6.TemplateCatalog;
import io.warden.state.GatewayRun;
import io.warden.state.IntentState;
import org.tinylog.Logger;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * Carries out one service's {@link BootPlan}: installs its slot, sets {@code ./down}, sends the plan's letter, asks
 * for a rescan, and hands the run s6 shows to the service's life. An s6-rc service is s6-rc's to install and start:
 * warden only stops one that runs against its intent and leaves a start to the daemon's s6-rc bring-up.
 */
final class BootPlanRun {
    private final ServiceController c;
    private final TemplateCatalog.Template template;
    private final ServiceContext ctx;
    private final ServiceDirectory service;
    private final String name;

    BootPlanRun(ServiceController c, TemplateCatalog.Template template, ServiceContext ctx) {
        this.c = c;
        this.template = template;
        this.ctx = ctx;
        this.service = c.directory();
        this.name = c.name();
    }

    /** Returns the plan's one line for the log; {@code heldBy}: s6-rc services this one needs whose intent is down. */
    String apply(Instant now, GatewayRun seenBefore, List<String> heldBy) throws IOException {
        if (template == null) {
            c.feed(new Input.Adopt(seenBefore, false, false), now);
            Logger.warn("{}: its template is gone; kept on the volume (intent {}), not installed", name,
                    c.desired().wire());
            return "template missing: not installed";
        }
        if (c.unreadable() != null) {
            // not started: a template's slot goes in with ./down so s6 supervises it once the intent is known
            if (!c.s6rc() && !service.exists()) {
                service.installFrom(template.dir(), true, c.instancePart());
                ctx.scandir().rescan();
            }
            c.feed(new Input.Adopt(seenBefore, false, false), now);
            Logger.warn("boot: {} intent unknown: {}", name, c.unreadable());
            return "intent unknown: not started";
        }
        boolean present = service.exists();
        boolean supervised = present && service.supervised(ctx.procs());
        IntentState wanted = heldBy.isEmpty() ? c.desired() : IntentState.DOWN;
        BootPlan plan = BootPlan.decide(wanted, present, supervised, c.status());
        if (c.s6rc()) return applyS6Rc(plan, now, seenBefore, heldBy);
        if (plan.install()) {
            service.installFrom(template.dir(), plan.downFile(), c.instancePart());
        } else if (service.exists() && service.hasDownFile() != plan.downFile()) {
            service.setDownFile(plan.downFile());
        }
        // the intent (./down) says what this letter says: the run's end is judged by the intent, no expectation
        if (plan.control() != null) c.send(plan.control());
        if (plan.rescan() && !ctx.scandir().rescan()) {
            Logger.warn("no s6-svscan control FIFO in {}: {} starts when a scanner runs", ctx.scandir().path(), name);
        }
        c.feed(new Input.Adopt(seenBefore, true, true), now);
        Logger.info("boot: {} intent {} ({}): {}", name, c.desired().wire(), c.record().provenance(), plan.why());
        return plan.why();
    }

    private String applyS6Rc(BootPlan plan, Instant now, GatewayRun seenBefore, List<String> heldBy) {
        String why;
        if (plan.control() == ControlLetter.DOWN) {
            c.stopRun("boot", null);
            why = heldBy.isEmpty() ? "running but intent is down: stopping it"
                    : "running but held by " + String.join(", ", heldBy) + ": stopping it";
        } else if (plan.control() == ControlLetter.UP || !service.exists()) {
            why = "down but intent is up: starting it through s6-rc";
        } else if (!heldBy.isEmpty()) {
            why = "held by " + String.join(", ", heldBy) + " (intent down): left down";
        } else {
            why = plan.downFile() ? "down, as its intent says" : "running, as its intent says: adopted untouched";
        }
        c.feed(new Input.Adopt(seenBefore, true, false), now);
        Logger.info("boot: {} (s6-rc) intent {} ({}): {}", name, c.desired().wire(), c.record().provenance(), why);
        return why;
    }
}

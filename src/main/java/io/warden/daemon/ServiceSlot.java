package io.warden.daemon;

import io.warden.s6.ControlLetter;
import io.warden.s6.ControlResult;
import io.warden.s6.ServiceDirectory;
import io.warden.s6.SupervisorStatus;
import org.tinylog.Logger;

import java.io.IOException;
import java.util.List;

/**
 * One service's slot in the scandir as its controller uses it: letters sent with what did not go logged, the status
 * read with what could not be read reported, and a slot gone from the scandir reported while it is gone.
 */
final class ServiceSlot {
    private final String name;
    private final ServiceDirectory service;
    private final ServiceContext ctx;

    ServiceSlot(String name, ServiceDirectory service, ServiceContext ctx) {
        this.name = name;
        this.service = service;
        this.ctx = ctx;
    }

    /** Sends s6-svc letters and logs what did not go (the intent is already durable). */
    ControlResult send(List<ControlLetter> letters) {
        ControlResult r = service.control(ControlLetter.word(letters), ctx.procs());
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

    /** The service directory gone from the scandir is reported while it is gone (s6 supervises nothing then). */
    void notePresence() {
        String prefix = "service directory " + service.path() + " is missing";
        if (service.exists()) {
            ctx.ledger().clear(Problem.of(Problem.Kind.MISSING_SLOT, name));
        } else {
            ctx.ledger().problem(Problem.of(Problem.Kind.MISSING_SLOT, name), prefix + ": s6 supervises no " + name + "; warden reinstalls it at its next start,"
                    + " or run warden start " + name);
        }
    }
}

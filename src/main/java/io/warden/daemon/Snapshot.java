package io.warden.daemon;

import io.warden.s6.SupervisorKind;
import io.warden.s6.SupervisorStatus;
import io.warden.state.IntentState;
import io.warden.state.LastShutdown;
import io.warden.state.ServiceState;
import io.warden.state.Versions;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable picture of everything {@code status} reports, rebuilt by the daemon's loop after each change; the
 * loop encodes the {@code status} and {@code check} answers from it once, and socket threads send those bytes.
 */
public record Snapshot(ServiceState state, LastShutdown lastShutdown, SupervisorStatus status,
                       SupervisorKind supervisor, long wardenPid, Instant wardenStartedAt, List<String> problems,
                       boolean backoff, boolean lastShutdownPending, SupervisorStatus lastDeath,
                       boolean templateMissing, boolean stateUnusable, Versions versions, Placement placement) {

    /**
     * Where a service is defined and what holds it: {@code definedBy} is {@code s6-rc}, {@code template} or
     * {@code instance}; {@code heldBy} the services it depends on whose intent is down (it is then kept down,
     * healthy, its own intent unchanged); {@code unreadable} why its recorded intent cannot be read, or null;
     * {@code secondCopy} a slot another keeper made that runs this service's program too while it runs, or null.
     */
    public record Placement(String definedBy, List<String> heldBy, String unreadable, String secondCopy) {
        public static final Placement TEMPLATE = new Placement("template", List.of(), null, null);

        public Placement(String definedBy, List<String> heldBy, String unreadable) {
            this(definedBy, heldBy, unreadable, null);
        }

        public boolean held() {
            return !heldBy.isEmpty();
        }
    }

    /** A template service's snapshot (held by nothing, its intent read). */
    public Snapshot(ServiceState state, LastShutdown lastShutdown, SupervisorStatus status,
                    SupervisorKind supervisor, long wardenPid, Instant wardenStartedAt, List<String> problems,
                    boolean backoff, boolean lastShutdownPending, SupervisorStatus lastDeath,
                    boolean templateMissing, boolean stateUnusable, Versions versions) {
        this(state, lastShutdown, status, supervisor, wardenPid, wardenStartedAt, problems, backoff,
                lastShutdownPending, lastDeath, templateMissing, stateUnusable, versions, Placement.TEMPLATE);
    }

    /** A snapshot that names no versions (they show as unknown). */
    public Snapshot(ServiceState state, LastShutdown lastShutdown, SupervisorStatus status, SupervisorKind supervisor,
                    long wardenPid, Instant wardenStartedAt, List<String> problems, boolean backoff,
                    boolean lastShutdownPending, SupervisorStatus lastDeath, boolean templateMissing,
                    boolean stateUnusable) {
        this(state, lastShutdown, status, supervisor, wardenPid, wardenStartedAt, problems, backoff,
                lastShutdownPending, lastDeath, templateMissing, stateUnusable, new Versions(null, null));
    }

    /** A snapshot whose last shutdown is the durable one and whose status, when down, is a real death. */
    public Snapshot(ServiceState state, LastShutdown lastShutdown, SupervisorStatus status, SupervisorKind supervisor,
                    long wardenPid, Instant wardenStartedAt, List<String> problems, boolean backoff) {
        this(state, lastShutdown, status, supervisor, wardenPid, wardenStartedAt, problems, backoff, false, status,
                false, false, new Versions(null, null));
    }

    public String service() {
        return state.service();
    }

    public Observed observed() {
        Observed o = Observed.derive(status, desired());
        if (backoff && o != Observed.UP) return Observed.BACKOFF;
        return o;
    }

    public IntentState desired() {
        return state.intent().state();
    }

    /**
     * What {@code check} answers: the observed state is the one the intent asks for, and warden can read and record
     * intents. A state volume it cannot write (unreadable, read-only) makes every service unhealthy: warden then
     * runs on what it could read or on the default, a recorded stop may not be honoured, and a stop cannot be
     * recorded, which the health must show rather than only {@code degraded}.
     */
    public boolean healthy() {
        // two copies of one gateway answer the same messages twice: never healthy while both run
        boolean twice = placement.secondCopy() != null && observed() == Observed.UP;
        return !stateUnusable && matchesIntent() && !twice;
    }

    /** The observed state is the one the intent asks for. */
    public boolean matchesIntent() {
        // an intent that cannot be read is met by nothing: the health says so until it can be read
        if (placement.unreadable() != null) return false;
        // a service whose template is gone cannot run: only a down intent is met (check with no name leaves it out)
        if (templateMissing) return desired() == IntentState.DOWN;
        Observed o = observed();
        // held down by a service it depends on: down is what is asked of it for now
        boolean wantUp = desired() == IntentState.UP && !placement.held();
        // a gateway that failed on its configuration is down too: healthy when down is what was asked
        return wantUp ? o == Observed.UP : o == Observed.DOWN || o == Observed.FAILED;
    }

    public Map<String, Object> toJson() {
        Observed o = observed();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("service", state.service());
        m.put("desired", placement.unreadable() != null ? "unknown" : desired().wire());
        m.put("observed", o.wire());
        m.put("pid", o == Observed.UP ? status.pid() : null);
        m.put("upSince", o == Observed.UP ? status.stamp().toString() : null);
        Map<String, Object> intent = state.intent().toJson();
        if (placement.unreadable() != null) {
            intent = new LinkedHashMap<>();
            intent.put("state", "unknown");
            intent.put("source", null);
            intent.put("at", null);
            intent.put("uid", null);
            intent.put("reason", placement.unreadable());
        }
        m.put("intent", intent);
        Map<String, Object> last = lastShutdown == null ? null : lastShutdown.toJson();
        // true while a gateway end waits out the signal window: the cause shown may still become "signal"
        if (last != null) last.put("pending", lastShutdownPending);
        m.put("lastShutdown", last);
        m.put("supervisor", supervisor.wire());
        m.put("template", templateMissing ? "missing" : "present");
        m.put("definedBy", placement.definedBy());
        m.put("heldBy", new ArrayList<>(placement.heldBy()));
        m.put("secondCopy", placement.secondCopy());
        m.put("healthy", healthy());
        // drift: s6 has settled somewhere the intent does not say (down or failed while up is wanted, up while
        // down is wanted); transitions, back-off holds and an unknown state are not drift
        m.put("drift", !templateMissing && placement.unreadable() == null && !matchesIntent()
                && (o == Observed.UP || o == Observed.DOWN || o == Observed.FAILED));
        // only a run that really ended has an exit: s6's status of a service never started (./down at boot)
        // also reads wait status 0, which is no "exit code 0"
        if (lastDeath != null && status != null && status.pid() == 0 && !lastDeath.stamp().equals(Instant.EPOCH)) {
            Map<String, Object> exit = new LinkedHashMap<>();
            exit.put("exitCode", lastDeath.exited() ? (long) lastDeath.exitCode() : null);
            exit.put("signal", lastDeath.exited() ? null : io.warden.s6.Signals.name(lastDeath.termSignal()));
            exit.put("at", lastDeath.stamp().toString());
            m.put("lastExit", exit);
        }
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("running", true);
        w.put("pid", wardenPid);
        w.put("startedAt", wardenStartedAt.toString());
        w.put("version", versions.warden());
        w.put("imageVersion", versions.image());
        m.put("warden", w);
        m.put("degraded", new ArrayList<>(problems));
        return m;
    }
}

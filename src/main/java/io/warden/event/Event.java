package io.warden.event;

import io.warden.state.Intent;
import io.warden.state.LastShutdown;
import io.warden.state.Versions;

import java.util.List;
import java.util.Map;

/**
 * What happens, as warden sees it: one value per event, emitted on the decision loop into the {@link EventSpine},
 * which the journal, the live stream ({@code warden watch}) and the metrics follow. {@link #name()} and
 * {@link #putFields} are the journal record's {@code event} and members, so a record keeps the shape it had before
 * the spine; the stream sends the same object, plus {@link #putStreamFields}. {@link #service()} is null for
 * warden's own events.
 */
public sealed interface Event {
    /** The {@code event} member: the journal's name for it. */
    String name();

    /** The service it is about, or null for warden's own. */
    String service();

    /** The members of the journal record after {@code at}, {@code event}, {@code service}. */
    void putFields(Map<String, Object> m);

    /** What the live stream sends: the journal's members, and for some events more. */
    default void putStreamFields(Map<String, Object> m) {
        putFields(m);
    }

    /** False for events the journal does not record (it keeps decided facts, the stream also shows transitions). */
    default boolean journaled() {
        return true;
    }

    /**
     * A cause's members, its time as {@code endedAt}: a crash is decided a signal window after the end, and an
     * unclean end at the next boot, so the record's {@code at} (when it was recorded) is not when the run ended.
     */
    private static void putCause(Map<String, Object> m, LastShutdown cause) {
        Map<String, Object> c = cause.toJson();
        Object endedAt = c.remove("at");
        m.putAll(c);
        m.put("endedAt", endedAt);
    }

    // ---- warden's own ---------------------------------------------------------------------------------------

    /** An event of warden's own: about no one service. */
    sealed interface Own extends Event {
        default String service() {
            return null;
        }
    }

    /** warden booted and brought every service in line with its intent. */
    record Boot(long wardenPid, String supervisor, String defaultIntent, Map<String, String> intents,
                Versions versions) implements Own {
        public String name() {
            return "boot";
        }

        public void putFields(Map<String, Object> m) {
            m.put("wardenPid", wardenPid);
            m.put("supervisor", supervisor);
            if (defaultIntent != null) m.put("intent", defaultIntent);
            m.put("services", new java.util.LinkedHashMap<String, Object>(intents));
            m.put("wardenVersion", versions.warden());
            m.put("imageVersion", versions.image());
        }
    }

    /** This boot's warden or image differs from the previous boot's. */
    record Upgraded(Versions from, Versions to) implements Own {
        public String name() {
            return "upgraded";
        }

        public void putFields(Map<String, Object> m) {
            m.put("from", from.toJson());
            m.put("to", to.toJson());
            m.put("detail", from.changeTo(to));
        }
    }

    /** The previous warden run ended without a record (SIGKILL, OOM, power loss). */
    record UncleanEnd(long previousWardenPid, String previousStartedAt) implements Own {
        public String name() {
            return "warden-unclean-end";
        }

        public void putFields(Map<String, Object> m) {
            m.put("previousWardenPid", previousWardenPid);
            m.put("previousStartedAt", previousStartedAt);
        }
    }

    /**
     * warden stops: on a signal ({@code signal}, the default service's cause as round 1 recorded it, and every
     * service's) or for another reason ({@code reason}, causes unchanged).
     */
    record WardenStop(String signal, String reason, LastShutdown defaultCause, Map<String, String> causes)
            implements Own {
        public String name() {
            return "warden-stop";
        }

        public void putFields(Map<String, Object> m) {
            if (defaultCause != null) putCause(m, defaultCause);
            if (reason != null) m.put("reason", reason);
            if (signal != null) m.put("signal", signal);
            if (defaultCause == null) m.put("cause", "unchanged");
            if (causes != null) m.put("causes", new java.util.LinkedHashMap<String, Object>(causes));
        }
    }

    /** A problem entered {@code degraded} (stream only: the log has it, status lists it while it lasts). */
    record Degraded(String problem) implements Own {
        public String name() {
            return "degraded";
        }

        public void putFields(Map<String, Object> m) {
            m.put("problem", problem);
        }

        public boolean journaled() {
            return false;
        }
    }

    /** A problem left {@code degraded}: {@code problem} is what it began with (stream only). */
    record Recovered(String problem) implements Own {
        public String name() {
            return "recovered";
        }

        public void putFields(Map<String, Object> m) {
            m.put("problem", problem);
        }

        public boolean journaled() {
            return false;
        }
    }

    // ---- one service's --------------------------------------------------------------------------------------

    /** An intent was recorded: the first one (source default) or a user's ({@code op} set). */
    record IntentSet(String service, Intent intent, String op) implements Event {
        public String name() {
            return "intent";
        }

        public void putFields(Map<String, Object> m) {
            m.putAll(intent.toJson());
            if (op != null) m.put("op", op);
        }
    }

    /** s6 reports a run up; {@code adopted}: it started before this warden. */
    record ServiceUp(String service, long pid, boolean adopted) implements Event {
        public String name() {
            return "gateway-up";
        }

        public void putFields(Map<String, Object> m) {
            m.put("pid", pid);
            if (adopted) m.put("adopted", true);
        }
    }

    /** A run ended; its exit code or signal when s6 told them (null both when it did not). */
    record ServiceExited(String service, long pid, boolean known, Integer exitCode, String signal) implements Event {
        public String name() {
            return "gateway-exit";
        }

        public void putFields(Map<String, Object> m) {
            m.put("pid", pid);
            if (known) {
                m.put("exitCode", exitCode == null ? null : (long) exitCode);
                m.put("signal", signal);
            }
        }
    }

    /**
     * s6 shows that a run ended while no warden was running, and the warden before saw no run up: a run neither
     * saw start. Journaled at boot as {@code gateway-exit} with {@code whileDown}, the end's time and how it ended
     * (s6 no longer tells the pid of a run that is down).
     */
    record EndedWhileDown(String service, java.time.Instant endedAt, Integer exitCode, String signal) implements Event {
        public String name() {
            return "gateway-exit";
        }

        public void putFields(Map<String, Object> m) {
            m.put("pid", null);
            m.put("exitCode", exitCode == null ? null : (long) exitCode);
            m.put("signal", signal);
            m.put("endedAt", endedAt.toString());
            m.put("whileDown", true);
        }
    }

    /**
     * The cause of a run's end. {@code pending}: the cause waits out the signal window and may still become
     * {@code signal}; the same event follows with {@code pending} false once decided. The journal records a decided
     * cause that is not on the volume already ({@code journaled}: a user's stop is recorded with its intent, the
     * default service's cause at warden's stop in the {@code warden-stop} record).
     */
    record ServiceEnd(String service, LastShutdown cause, boolean pending, boolean journaled) implements Event {
        public String name() {
            return "shutdown";
        }

        public void putFields(Map<String, Object> m) {
            putCause(m, cause);
        }

        public void putStreamFields(Map<String, Object> m) {
            putFields(m);
            m.put("pending", pending);
        }

        public boolean journaled() {
            return journaled && !pending;
        }
    }

    /** s6-supervise was killed and a run goes on outside its supervision. */
    record Orphaned(String service, long pid) implements Event {
        public String name() {
            return "gateway-orphaned";
        }

        public void putFields(Map<String, Object> m) {
            m.put("pid", pid);
        }
    }

    /** A crash-looping service's restart is held. */
    record BackoffHeld(String service, long holdMillis, int consecutiveDeaths) implements Event {
        public String name() {
            return "backoff";
        }

        public void putFields(Map<String, Object> m) {
            m.put("holdMillis", holdMillis);
            m.put("consecutiveDeaths", (long) consecutiveDeaths);
        }
    }

    /** A held restart is released: {@code restarted} when warden told s6 to start it (stream only). */
    record BackoffReleased(String service, boolean restarted) implements Event {
        public String name() {
            return "backoff-released";
        }

        public void putFields(Map<String, Object> m) {
            m.put("restarted", restarted);
        }

        public boolean journaled() {
            return false;
        }
    }

    record InstanceCreated(String service, String template, int uid) implements Event {
        public String name() {
            return "instance-created";
        }

        public void putFields(Map<String, Object> m) {
            m.put("template", template);
            m.put("uid", (long) uid);
        }
    }

    record InstanceRemoved(String service, int uid, boolean wasRunning) implements Event {
        public String name() {
            return "instance-removed";
        }

        public void putFields(Map<String, Object> m) {
            m.put("uid", (long) uid);
            m.put("wasRunning", wasRunning);
        }
    }

    /** A kept service is also defined outside warden ({@code definitions}: where): two definitions fight. */
    record DefinedElsewhere(String service, List<String> definitions) implements Event {
        public String name() {
            return "defined-elsewhere";
        }

        public void putFields(Map<String, Object> m) {
            m.put("definitions", definitions);
        }
    }

    /** A slot warden did not install runs a kept service's program: a second keeper made it. */
    record SecondKeeper(String service, String slot) implements Event {
        public String name() {
            return "second-keeper";
        }

        public void putFields(Map<String, Object> m) {
            m.put("slot", slot);
        }
    }

    /** An instance created at boot for a profile of an imported Hermes volume ({@code importedFrom}: which). */
    record InstanceImported(String service, String template, Map<String, Object> importedFrom) implements Event {
        public String name() {
            return "instance-created";
        }

        public void putFields(Map<String, Object> m) {
            m.put("template", template);
            m.put("importedFrom", importedFrom);
        }
    }
}

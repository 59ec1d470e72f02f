package io.warden.event;

import io.warden.state.Intent;
import io.warden.state.IntentState;
import io.warden.state.LastShutdown;
import io.warden.state.ShutdownCause;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The journal is in {@code at} order because {@code at} is when warden recorded the event. */
class EventSpineTest {
    private static final Instant T = Instant.parse("2026-03-01T10:15:30Z");

    /** A clock that moves one second at each read, as events are emitted one after another. */
    private static final class Ticking extends Clock {
        private Instant now = T;

        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        public Instant instant() {
            Instant i = now;
            now = now.plusSeconds(1);
            return i;
        }
    }

    @Test
    void a_crash_decided_after_the_next_run_started_is_recorded_after_it_and_keeps_its_end_time() {
        List<Map<String, Object>> journal = new ArrayList<>();
        EventSpine spine = new EventSpine(new Ticking(), journal::addAll);
        spine.emit(new Event.ServiceExited("worker", 41, true, 1, null));
        spine.emit(new Event.ServiceUp("worker", 42, false));
        // the crash's cause is decided when the signal window has passed: its time is the death's, before the up
        LastShutdown crash = new LastShutdown(ShutdownCause.CRASH, null, T, 1, "exited with code 1");
        spine.emit(new Event.ServiceEnd("worker", crash, false, true));
        spine.emit(new Event.IntentSet("worker", Intent.byUser(IntentState.DOWN, T.minusSeconds(60), 0, 1L, null),
                "stop"));

        Instant previous = Instant.MIN;
        for (Map<String, Object> r : journal) {
            Instant at = Instant.parse((String) r.get("at"));
            assertTrue(!at.isBefore(previous), "in at order: " + journal);
            previous = at;
        }
        Map<String, Object> shutdown = journal.get(2);
        assertEquals("shutdown", shutdown.get("event"));
        assertEquals(T.plusSeconds(2).toString(), shutdown.get("at"), "when warden recorded it");
        assertEquals(T.toString(), shutdown.get("endedAt"), "when the run ended");
        assertEquals("crash", shutdown.get("cause"));
        assertEquals(List.of("at", "event", "service"), List.copyOf(shutdown.keySet()).subList(0, 3));
    }

    @Test
    void the_stream_sends_the_same_times_as_the_journal() {
        List<EventSpine.Stamped> seen = new ArrayList<>();
        EventSpine spine = new EventSpine(new Ticking(), r -> { });
        spine.subscribe(seen::add);
        LastShutdown sig = new LastShutdown(ShutdownCause.SIGNAL, "SIGTERM", T.minusSeconds(5), null, "warden received");
        spine.emit(new Event.WardenStop("SIGTERM", null, sig, Map.of("gateway", "signal")));
        Map<String, Object> streamed = seen.get(0).streamed();
        assertEquals(T.toString(), streamed.get("at"));
        assertEquals(T.minusSeconds(5).toString(), streamed.get("endedAt"));
        assertEquals(seen.get(0).record(), streamed);
    }

    @Test
    void the_records_that_were_built_by_hand_keep_their_json() {
        List<Map<String, Object>> journal = new ArrayList<>();
        EventSpine spine = new EventSpine(() -> T, journal::addAll);
        spine.emit(new Event.DefinedElsewhere("gateway", List.of("an s6-rc service", "a template /t/gateway")));
        spine.emit(new Event.SecondKeeper("gateway@eu", "/run/service/gateway-eu"));
        spine.emit(new Event.InstanceImported("gateway@eu", "gateway@", Map.of("profile", "eu")));
        assertEquals("{\"at\":\"2026-03-01T10:15:30Z\",\"event\":\"defined-elsewhere\",\"service\":\"gateway\","
                + "\"definitions\":[\"an s6-rc service\",\"a template /t/gateway\"]}", io.warden.json.Json.write(journal.get(0)));
        assertEquals("{\"at\":\"2026-03-01T10:15:30Z\",\"event\":\"second-keeper\",\"service\":\"gateway@eu\","
                + "\"slot\":\"/run/service/gateway-eu\"}", io.warden.json.Json.write(journal.get(1)));
        assertEquals("{\"at\":\"2026-03-01T10:15:30Z\",\"event\":\"instance-created\",\"service\":\"gateway@eu\","
                + "\"template\":\"gateway@\",\"importedFrom\":{\"profile\":\"eu\"}}", io.warden.json.Json.write(journal.get(2)));
    }
}

package io.warden.event;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Where every {@link Event} goes: stamped once, handed to each subscriber in order (the live stream, the metrics:
 * neither blocks), then its journal record is written and fsynced. So a watcher gets an event as it happens, not
 * an fsync later, the way {@code status} is published before the journal record of a change; {@code history} may
 * trail the stream by that fsync. Events are emitted on the daemon's decision loop only, so subscribers see them
 * in the order they happened.
 */
public final class EventSpine {
    /** Writes the journal records of events, in order (one record, or a stop's records with one fsync). */
    public interface Journal {
        void write(List<Map<String, Object>> records);
    }

    /** Follows events; called on the decision loop, so it must not block. */
    public interface Subscriber {
        void on(Stamped e);
    }

    /** An event with the time warden saw it. */
    public record Stamped(Instant at, Event event) {
        /**
         * The journal record: {@code at}, {@code event}, {@code service}, then the event's members. {@code at} is
         * always the stamp, whatever time the event carries (an intent's, a cause's): records are written in the
         * order they are stamped, so the journal is in {@code at} order.
         */
        public Map<String, Object> record() {
            Map<String, Object> m = head();
            event.putFields(m);
            m.put("at", at.toString());
            return m;
        }

        /** What the live stream sends: the record's members and the stream's own ({@code pending}). */
        public Map<String, Object> streamed() {
            Map<String, Object> m = head();
            event.putStreamFields(m);
            m.put("at", at.toString());
            return m;
        }

        private Map<String, Object> head() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("at", at.toString());
            m.put("event", event.name());
            m.put("service", event.service());
            return m;
        }
    }

    private final java.util.function.Supplier<Instant> clock;
    private final Journal journal;
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();

    /** {@code clock} stamps records (wall time, as the journal always had); decisions use the daemon's TimeSource. */
    public EventSpine(Clock clock, Journal journal) {
        this(clock::instant, journal);
    }

    /** {@code clock}: the wall time that stamps records (the daemon's injected clock). */
    public EventSpine(java.util.function.Supplier<Instant> clock, Journal journal) {
        this.clock = clock;
        this.journal = journal;
    }

    public void subscribe(Subscriber s) {
        subscribers.add(s);
    }

    public void emit(Event e) {
        emitAll(List.of(e), journal);
    }

    /**
     * Emits events in order: the subscribers get each event, then their journal records go to {@code writer} in one
     * call (warden's stop writes them together with every service's state file).
     */
    public void emitAll(List<Event> events, Journal writer) {
        Instant at = clock.get();
        List<Stamped> stamped = new ArrayList<>(events.size());
        List<Map<String, Object>> records = new ArrayList<>();
        for (Event e : events) {
            Stamped s = new Stamped(at, e);
            stamped.add(s);
            if (e.journaled()) records.add(s.record());
        }
        for (Stamped s : stamped) {
            for (Subscriber sub : subscribers) sub.on(s);
        }
        if (!records.isEmpty()) writer.write(records);
    }
}

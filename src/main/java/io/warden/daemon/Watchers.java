package io.warden.daemon;

import io.warden.api.LiveFeed;
import io.warden.api.Protocol;
import io.warden.event.EventSpine;
import io.warden.json.Json;

import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The live stream ({@code warden watch}): every event goes to each watcher as one JSON line, encoded once whatever
 * the number of watchers. A watcher that has left {@code ApiServer}'s bound of lines unread is dropped with a last
 * line saying why; when warden stops, each watcher gets the stop event and then the end of its stream.
 * Events arrive on the decision loop; watchers come and go on the socket's thread.
 */
final class Watchers implements EventSpine.Subscriber {
    /** The event of the last line a dropped watcher gets (never an event of the spine or the journal). */
    static final String DROPPED = "watch-dropped";

    private record Watcher(String service, LiveFeed.LineSink sink) {
        boolean wants(String eventService) {
            // warden's own events go to every watcher, as history shows them in every filtered view
            return service == null || eventService == null || service.equals(eventService);
        }
    }

    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private volatile boolean ended;

    /** A subscription to the events of {@code service} and warden's own (every event when null). */
    LiveFeed feed(String service) {
        return sink -> {
            Watcher w = new Watcher(service, sink);
            watchers.add(w);
            // a subscription that arrives after warden's stop event sees the end at once
            if (ended && watchers.remove(w)) sink.end(null);
            return (Closeable) () -> watchers.remove(w);
        };
    }

    int count() {
        return watchers.size();
    }

    @Override
    public void on(EventSpine.Stamped e) {
        if (watchers.isEmpty()) return;
        byte[] line = (Json.write(e.streamed()) + "\n").getBytes(StandardCharsets.UTF_8);
        String service = e.event().service();
        for (Watcher w : watchers) {
            if (w.wants(service) && !w.sink().offer(line)) drop(w, e.at());
        }
    }

    /** {@code at}: the stamp of the event the watcher could not take, the last it would have seen. */
    private void drop(Watcher w, Instant at) {
        if (!watchers.remove(w)) return;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", at.toString());
        m.put("event", DROPPED);
        m.put("service", null);
        m.put("reason", "this watcher left more than " + io.warden.api.ApiServer.watchBufferBytes() / 1024
                + " KiB of events unread; events after this point were not sent: watch again");
        w.sink().end((Json.write(m) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** warden stops: its stop event has been sent; every stream ends after what it holds. */
    void endAll() {
        ended = true;
        for (Watcher w : watchers) {
            if (watchers.remove(w)) w.sink().end(null);
        }
    }

    /** The answer line of a {@code watch} request before its events. */
    static Map<String, Object> accepted(String service) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("watching", service);
        return Protocol.ok(r);
    }
}

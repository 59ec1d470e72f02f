package io.warden.daemon;

import io.warden.api.AccessPolicy;
import io.warden.api.Answer;
import io.warden.api.ErrorCode;
import io.warden.api.Operation;
import io.warden.api.Peer;
import io.warden.text.PrintableText;
import io.warden.api.Protocol;
import io.warden.api.Request;
import io.warden.api.RequestHandler;
import io.warden.state.ServiceName;
import io.warden.state.Journal;
import org.tinylog.Logger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The daemon's answers to the socket. Reading requests are served here, off the decision loop: {@code status},
 * {@code list} and {@code check} from answers encoded once per change ({@link #publish}), {@code history} from the
 * journal on a reader thread. A change of intent is handed to the decision loop, which alone decides.
 */
final class Requests implements RequestHandler {
    /** A change of intent (or a removal) of one service, carried out on the decision loop; returns the response. */
    interface IntentChange {
        Map<String, Object> apply(Operation op, String service, Peer peer, String reason);
    }

    /** Hands work to the decision loop; false when the loop has ended and will run nothing more. */
    interface Loop {
        boolean add(Runnable task);
    }

    /**
     * What one publish holds: every service's snapshot, and each answer encoded the first time it is asked for
     * (then sent as the same bytes to everyone who asks until the next publish). Encoding every service's
     * documents at each change cost O(services) per change and held three encodings of every service: at 5,000
     * services, tens of MiB in a 32 MiB heap. A status or check of one service is encoded on the socket's thread
     * (one document); the health of all on the reader thread; the list is streamed ({@link ListAnswer}).
     */
    private static final class Published {
        final Map<String, Snapshot> byName;
        final List<Snapshot> snapshots;
        final List<String> instanceTemplates;
        final String defaultService;
        final Map<String, Answer> status = new java.util.concurrent.ConcurrentHashMap<>();
        final Map<String, Answer> check = new java.util.concurrent.ConcurrentHashMap<>();
        private Answer checkAll;

        Published(List<Snapshot> snapshots, List<String> instanceTemplates, String defaultService) {
            this.snapshots = List.copyOf(snapshots);
            this.byName = new java.util.HashMap<>(snapshots.size() * 2);
            for (Snapshot s : this.snapshots) byName.put(s.service(), s);
            this.instanceTemplates = List.copyOf(instanceTemplates);
            this.defaultService = defaultService;
        }

        boolean knows(String service) {
            return byName.containsKey(service);
        }

        Answer status(String service) {
            return status.computeIfAbsent(service, n -> Answer.of(Protocol.ok(byName.get(n).toJson())));
        }

        Answer check(String service) {
            return check.computeIfAbsent(service, n -> Answer.of(Protocol.ok(checkOf(byName.get(n)))));
        }

        synchronized Answer checkAll() {
            if (checkAll == null) checkAll = Answer.of(Protocol.ok(checkAllOf(snapshots, defaultService)));
            return checkAll;
        }
    }

    private final AccessPolicy access;
    private final Journal journal;
    private final Loop loop;
    private final IntentChange change;
    private final String defaultService;
    private final Watchers watchers;
    private final MetricsBook metrics;
    private final ExecutorService readers;
    /** What unprivileged peers' metrics answers in progress may hold together (README, "Bounds of the metrics"). */
    static final long UNPRIVILEGED_METRICS_BYTES = 4L * 1024 * 1024;
    private final MetricsAnswer.Budget unprivilegedMetrics = new MetricsAnswer.Budget(UNPRIVILEGED_METRICS_BYTES);
    /** One line per user and window, not one per refusal: a refused loop must not fill the log. */
    private final RefusalLog refusals = new RefusalLog(System::nanoTime, line -> Logger.warn("{}", line));
    /** Encoded once per change, read by socket threads without locks (a volatile write publishes each). */
    private volatile Published published;
    /** Set at the signal: changes are refused at once from then on. */
    private volatile boolean stopping;

    Requests(AccessPolicy access, Journal journal, Loop loop, IntentChange change, String defaultService,
             Watchers watchers, MetricsBook metrics) {
        this.watchers = watchers;
        this.metrics = metrics;
        this.access = access;
        this.journal = journal;
        this.loop = loop;
        this.change = change;
        this.defaultService = defaultService;
        this.readers = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "warden-reader");
            t.setDaemon(true);
            return t;
        });
    }

    /** The answers of this moment, encoded as they are asked for; {@code snapshots} in the order {@code list} shows them. */
    void publish(List<Snapshot> snapshots, List<String> instanceTemplates) {
        published = new Published(snapshots, instanceTemplates, defaultService);
    }

    /** {@code check} with no name: healthy iff every service (but those whose template is gone) matches its intent. */
    private static Map<String, Object> checkAllOf(List<Snapshot> snapshots, String defaultService) {
        List<Object> services = new ArrayList<>();
        List<Object> unhealthy = new ArrayList<>();
        Snapshot dflt = null;
        for (Snapshot s : snapshots) {
            Map<String, Object> one = checkOf(s);
            if (s.service().equals(defaultService)) dflt = s;
            // a service whose template an upgrade removed is reported, not judged: the image may drop it on purpose
            if (s.templateMissing()) continue;
            services.add(one);
            if (!s.healthy()) unhealthy.add(s.service());
        }
        Map<String, Object> checkAll = new LinkedHashMap<>();
        checkAll.put("healthy", unhealthy.isEmpty());
        if (dflt != null) {
            checkAll.put("desired", dflt.placement().unreadable() != null ? "unknown" : dflt.desired().wire());
            checkAll.put("observed", dflt.observed().wire());
        }
        checkAll.put("unhealthy", unhealthy);
        checkAll.put("services", services);
        return checkAll;
    }

    private static Map<String, Object> checkOf(Snapshot s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("service", s.service());
        m.put("healthy", s.healthy());
        Snapshot.Placement p = s.placement();
        m.put("desired", p.unreadable() != null ? "unknown" : s.desired().wire());
        m.put("observed", s.observed().wire());
        if (p.unreadable() != null) {
            m.put("reason", "its recorded intent cannot be read from the state volume (" + p.unreadable()
                    + "); it is not started until it can be");
        } else if (p.secondCopy() != null && !s.healthy()) {
            m.put("reason", "a second copy runs in " + p.secondCopy() + ", a slot warden did not install (see degraded)");
        } else if (s.matchesIntent() && !s.healthy()) {
            m.put("reason", "the state volume cannot be written (see degraded)");
        }
        return m;
    }

    boolean published() {
        return published != null;
    }

    void stopping() {
        stopping = true;
    }

    void close() {
        refusals.flush();
        readers.shutdownNow();
    }

    @Override
    public CompletableFuture<Answer> handle(Request request, Peer peer) {
        Operation op = request.op();
        String refusal = access.refusal(peer, op, request.service() != null ? request.service() : defaultService);
        if (refusal != null) {
            refusals.refused(peer.account(), PrintableText.escape("uid " + peer.uid() + " (" + peer.user() + ")"),
                    PrintableText.escape(refusal));
            return done(Answer.error(ErrorCode.FORBIDDEN, refusal));
        }
        Published p = published;
        String named = request.service();
        String service = named != null ? named : defaultService;
        boolean known = p.knows(service);
        // a start of NAME@INST whose NAME@ template exists creates the instance
        boolean creatable = op == Operation.START && ServiceName.isInstance(service)
                && p.instanceTemplates.contains(ServiceName.templateOf(service));
        switch (op) {
            case LIST:
                // written a service at a time as the client reads (ListAnswer): one document held, never all
                return done(Answer.streamed(new ListAnswer(p.snapshots)));
            case WATCH:
                if (named != null && !known) return done(unknown(service, p));
                if (stopping) return done(Answer.error(ErrorCode.SHUTTING_DOWN, "warden is shutting down"));
                return done(Answer.live(Watchers.accepted(named), watchers.feed(named)));
            case METRICS:
                // streamed and rendered only once it has a slot; an unprivileged peer's within the shared budget
                return done(MetricsAnswer.open(() -> metrics.render(java.time.Instant.now()),
                        peer.mayControl() ? null : unprivilegedMetrics));
            case HISTORY:
                // a name warden no longer keeps (a removed instance) still has its records: unknown only without any
                return CompletableFuture.supplyAsync(() -> history(request.historyLimit(), named,
                        named != null && !known ? p : null), readers);
            case CHECK:
                if (named == null) return CompletableFuture.supplyAsync(p::checkAll, readers);
                return done(known ? p.check(service) : unknown(service, p));
            case STATUS:
                return done(known ? p.status(service) : unknown(service, p));
            default: {
                if (!known && !creatable) return done(unknown(service, p));
                if (op == Operation.REMOVE && !ServiceName.isInstance(service)) {
                    return done(Answer.error(ErrorCode.NOT_REMOVABLE, "'" + service + "' is not an instance: only "
                            + "instances (NAME@INSTANCE) can be removed; 'warden stop " + service + "' keeps it down"));
                }
                if (stopping) {
                    return done(Answer.error(ErrorCode.SHUTTING_DOWN, "warden is shutting down; nothing was changed"));
                }
                CompletableFuture<Answer> f = new CompletableFuture<>();
                boolean queued = loop.add(() -> {
                    try {
                        f.complete(Answer.of(change.apply(op, service, peer, request.reason())));
                    } catch (RuntimeException e) {
                        f.complete(Answer.error(ErrorCode.INTERNAL, "internal error: " + e));
                        throw e;
                    }
                });
                // the loop drained for the last time before this request came: nobody else will answer it
                if (!queued) return done(Answer.error(ErrorCode.SHUTTING_DOWN, "warden is shutting down; nothing was changed"));
                return f;
            }
        }
    }

    private static CompletableFuture<Answer> done(Answer a) {
        return CompletableFuture.completedFuture(a);
    }

    /** How many names an unknown-service answer lists. */
    static final int UNKNOWN_NAMES_LISTED = 50;

    private static Answer unknown(String service, Published p) {
        StringBuilder known = new StringBuilder();
        List<String> names = new ArrayList<>();
        // the first names only: an unknown name must not cost an answer of every service's name (5,000 of them)
        for (Snapshot s : p.snapshots) {
            if (names.size() == UNKNOWN_NAMES_LISTED) break;
            names.add(s.service());
        }
        for (String t : p.instanceTemplates) names.add(t + "INSTANCE");
        for (String n : names) known.append(known.length() == 0 ? "" : ", ").append(n);
        int more = p.snapshots.size() - Math.min(p.snapshots.size(), UNKNOWN_NAMES_LISTED);
        if (more > 0) known.append(" and ").append(more).append(" more ('warden list' shows them)");
        return Answer.error(ErrorCode.UNKNOWN_SERVICE, "warden keeps no service '" + service + "'; known: " + known);
    }

    /**
     * Opens a snapshot of the journal's tail; the records are read as the client takes the answer. With a service
     * named, the last {@code n} of its records and warden's own, found in the whole (bounded) journal.
     * {@code unknownIn}: the names published, when {@code service} is not one of them (a removed instance).
     */
    private Answer history(int n, String service, Published unknownIn) {
        try {
            if (service == null) return Answer.streamed(new HistoryAnswer(journal.tail(n)));
            HistoryAnswer a = new HistoryAnswer(journal.tail(Integer.MAX_VALUE), service, n);
            boolean none;
            try {
                none = unknownIn != null && !a.namesService();
            } catch (IOException e) {
                a.close();
                throw e;
            }
            if (none) {
                a.close();
                return unknown(service, unknownIn);
            }
            return Answer.streamed(a);
        } catch (IOException e) {
            return Answer.error(ErrorCode.INTERNAL, "cannot read the journal: " + Ledger.describe(e));
        }
    }
}

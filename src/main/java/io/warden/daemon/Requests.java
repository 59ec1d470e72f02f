package io.warden.daemon;

import io.warden.api.AccessPolicy;
import io.warden.api.Answer;
import io.warden.api.ErrorCode;
import io.warden.api.Operation;
import io.warden.api.Peer;
import io.warden.api.PrintableText;
import io.warden.api.Protocol;
import io.warden.api.Request;
import io.warden.api.RequestHandler;
import io.warden.state.Journal;
import org.tinylog.Logger;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The daemon's answers to the socket. Reading requests are served here, off the decision loop: {@code status}
 * and {@code check} from answers encoded once per change ({@link #publish}), {@code history} from the journal
 * on a reader thread. A change of intent is handed to the decision loop, which alone decides.
 */
final class Requests implements RequestHandler {
    /** A change of intent, carried out on the decision loop; returns the protocol response. */
    interface IntentChange {
        Map<String, Object> apply(Operation op, Peer peer, String reason);
    }

    private final AccessPolicy access;
    private final Journal journal;
    private final Consumer<Runnable> loop;
    private final IntentChange change;
    private final ExecutorService readers;
    /** Encoded once per change, read by socket threads without locks (a volatile write publishes each). */
    private volatile Answer statusAnswer;
    private volatile Answer checkAnswer;
    /** Set at the signal: changes are refused at once from then on. */
    private volatile boolean stopping;

    Requests(AccessPolicy access, Journal journal, Consumer<Runnable> loop, IntentChange change) {
        this.access = access;
        this.journal = journal;
        this.loop = loop;
        this.change = change;
        this.readers = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "warden-reader");
            t.setDaemon(true);
            return t;
        });
    }

    void publish(Snapshot s) {
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("healthy", s.healthy());
        check.put("desired", s.desired().wire());
        check.put("observed", s.observed().wire());
        checkAnswer = Answer.of(Protocol.ok(check));
        statusAnswer = Answer.of(Protocol.ok(s.toJson()));
    }

    boolean published() {
        return statusAnswer != null;
    }

    void stopping() {
        stopping = true;
    }

    void close() {
        readers.shutdownNow();
    }

    @Override
    public CompletableFuture<Answer> handle(Request request, Peer peer) {
        Operation op = request.op();
        String refusal = access.refusal(peer, op);
        if (refusal != null) {
            Logger.warn("refused: {}", PrintableText.escape(refusal));
            return CompletableFuture.completedFuture(Answer.error(ErrorCode.FORBIDDEN, refusal));
        }
        switch (op) {
            case STATUS:
                return CompletableFuture.completedFuture(statusAnswer);
            case CHECK:
                return CompletableFuture.completedFuture(checkAnswer);
            case HISTORY:
                return CompletableFuture.supplyAsync(() -> history(request.historyLimit()), readers);
            default: {
                if (stopping) {
                    return CompletableFuture.completedFuture(Answer.error(ErrorCode.SHUTTING_DOWN,
                            "warden is shutting down; nothing was changed"));
                }
                CompletableFuture<Answer> f = new CompletableFuture<>();
                loop.accept(() -> {
                    try {
                        f.complete(Answer.of(change.apply(op, peer, request.reason())));
                    } catch (RuntimeException e) {
                        f.complete(Answer.error(ErrorCode.INTERNAL, "internal error: " + e));
                        throw e;
                    }
                });
                return f;
            }
        }
    }

    /** Opens a snapshot of the journal's tail; the records are read as the client takes the answer. */
    private Answer history(int n) {
        try {
            return Answer.streamed(new HistoryAnswer(journal.tail(n)));
        } catch (IOException e) {
            return Answer.error(ErrorCode.INTERNAL, "cannot read the journal: " + Ledger.describe(e));
        }
    }
}

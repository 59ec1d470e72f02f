package io.warden.daemon;

import io.warden.api.Answer;
import io.warden.api.AnswerStream;
import io.warden.api.ErrorCode;
import io.warden.api.Protocol;
import io.warden.metrics.Exposition;
import org.tinylog.Logger;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code metrics} answer over the socket, {@code {"v":1,"ok":true,"result":{"contentType":...,"text":...}}}: a
 * streamed answer, so it counts against the socket's cap on streamed answers in progress. It is rendered on the
 * server's worker only once it holds a slot (its first {@link #fill}), then handed out a block at a time. An
 * unprivileged peer's answer also takes its size from a {@link Budget} shared by all of them, given back when the
 * answer is sent or dropped: so unread metrics answers hold a bounded number of bytes however many services
 * there are, and however many clients ask without reading.
 */
final class MetricsAnswer implements AnswerStream {
    /** Bytes that answers in progress may hold together; the first one always gets in, however large. */
    static final class Budget {
        private final long max;
        private long held;
        private volatile long lastSize;

        Budget(long max) {
            this.max = max;
        }

        synchronized boolean take(long n) {
            if (held > 0 && held + n > max) return false;
            held += n;
            return true;
        }

        synchronized void give(long n) {
            held -= n;
        }

        synchronized long held() {
            return held;
        }

        long max() {
            return max;
        }
    }

    private final Supplier<String> text;
    private final Budget budget;
    /** What this answer has taken from the budget (0 for a privileged peer's, which takes none). */
    private long taken;
    private byte[] line;
    private int offset;

    private MetricsAnswer(Supplier<String> text, Budget budget, long taken) {
        this.text = text;
        this.budget = budget;
        this.taken = taken;
    }

    /**
     * The answer for one request; for an unprivileged peer ({@code budget} not null) {@code busy} at once when the
     * answers in progress hold the budget already (reckoned with the last rendering's size).
     */
    static Answer open(Supplier<String> text, Budget budget) {
        MetricsAnswer a = reserve(text, budget);
        if (a == null) {
            return Answer.error(ErrorCode.BUSY, "metrics answers not yet read hold " + budget.max() / 1024
                    + " KiB already; try again");
        }
        return Answer.streamed(a);
    }

    /** The stream, or null when the budget is held already. */
    static MetricsAnswer reserve(Supplier<String> text, Budget budget) {
        if (budget == null) return new MetricsAnswer(text, null, 0);
        // before the first rendering its size is unknown: reckoned as the whole budget, so one answer at a time
        long estimate = budget.lastSize > 0 ? budget.lastSize : budget.max();
        return budget.take(estimate) ? new MetricsAnswer(text, budget, estimate) : null;
    }

    @Override
    public boolean fill(ByteBuffer buf) {
        if (line == null) {
            line = Protocol.line(render()).getBytes(StandardCharsets.UTF_8);
            if (budget != null) {
                // the estimate becomes the real size (the budget may be passed by one rendering's growth)
                budget.lastSize = line.length;
                budget.give(taken - line.length);
                taken = line.length;
            }
        }
        int n = Math.min(buf.remaining(), line.length - offset);
        buf.put(line, offset, n);
        offset += n;
        return offset < line.length;
    }

    /** A defect in rendering is this answer's error, not the server's: nothing has been sent yet. */
    private Map<String, Object> render() {
        try {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("contentType", Exposition.CONTENT_TYPE);
            r.put("text", text.get());
            return Protocol.ok(r);
        } catch (RuntimeException e) {
            Logger.error(e, "rendering the metrics failed: {}", e.toString());
            return Protocol.error(ErrorCode.INTERNAL, "internal error: " + e);
        }
    }

    @Override
    public void close() {
        if (budget != null && taken > 0) budget.give(taken);
        taken = 0;
        line = null;
    }
}

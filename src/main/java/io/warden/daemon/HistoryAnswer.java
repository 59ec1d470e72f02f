package io.warden.daemon;

import io.warden.api.AnswerStream;
import io.warden.json.Json;
import io.warden.json.JsonException;
import io.warden.state.Journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The {@code history} answer, written as the client reads it: {@code {"v":1,"ok":true,"result":{"records":[...],
 * "skippedLines":N}}}, one record at a time from a {@link Journal.Tail} snapshot. Each journal line is parsed and
 * written again, so the answer is well-formed JSON whatever the file holds; lines that do not parse are counted.
 * With a service named, only its records and warden's own (those with {@code "service": null}, and round 1's,
 * which have no such member) are sent, the last {@code n} of them: a first pass over the snapshot counts them.
 */
final class HistoryAnswer implements AnswerStream {
    private static final byte[] HEAD = "{\"v\":1,\"ok\":true,\"result\":{\"records\":[".getBytes(StandardCharsets.UTF_8);

    private final Journal.Tail tail;
    /** The service whose records are sent, or null for every record. */
    private final String service;
    private final int last;
    /** Matching records still to pass over before the last {@code last} (-1: not counted yet). */
    private long skip = -1;
    private byte[] piece = HEAD;
    private int offset;
    private boolean first = true;
    private boolean ended;
    private long skipped;
    /** Records that name the service itself, counted in the first pass. */
    private long own;

    HistoryAnswer(Journal.Tail tail) {
        this(tail, null, 0);
    }

    HistoryAnswer(Journal.Tail tail, String service, int last) {
        this.tail = tail;
        this.service = service;
        this.last = last;
    }

    @Override
    public boolean fill(ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            if (piece == null) {
                if (ended) return false;
                piece = nextPiece();
                offset = 0;
            }
            int n = Math.min(buf.remaining(), piece.length - offset);
            buf.put(piece, offset, n);
            offset += n;
            if (offset == piece.length) piece = null;
        }
        return piece != null || !ended;
    }

    /**
     * Whether the journal holds a record of the named service itself (not only warden's own): what makes a name
     * warden no longer keeps, such as a removed instance's, a history rather than an unknown service.
     */
    boolean namesService() throws IOException {
        count();
        return own > 0;
    }

    /** The first pass over the snapshot: how many records to pass over before the last {@code last}. */
    private void count() throws IOException {
        if (service == null || skip >= 0) return;
        long matching = 0;
        String l;
        while ((l = tail.nextLine()) != null) {
            if (matches(l)) matching++;
        }
        skip = Math.max(0, matching - last);
        tail.rewind();
    }

    private byte[] nextPiece() throws IOException {
        count();
        String line;
        while ((line = tail.nextLine()) != null) {
            try {
                java.util.Map<String, Object> parsed = Json.parseObject(line);
                if (service != null) {
                    if (!ofService(parsed)) continue;
                    if (skip > 0) {
                        skip--;
                        continue;
                    }
                }
                String record = Json.write(parsed);
                String text = first ? record : "," + record;
                first = false;
                return text.getBytes(StandardCharsets.UTF_8);
            } catch (JsonException e) {
                skipped++;
            }
        }
        ended = true;
        return ("],\"skippedLines\":" + skipped + "}}\n").getBytes(StandardCharsets.UTF_8);
    }

    private boolean ofService(java.util.Map<String, Object> record) {
        Object s = record.get("service");
        return s == null || service.equals(s);
    }

    private boolean matches(String line) {
        try {
            java.util.Map<String, Object> record = Json.parseObject(line);
            if (service.equals(record.get("service"))) own++;
            return ofService(record);
        } catch (JsonException e) {
            // counted as skipped in the second pass
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        tail.close();
    }
}

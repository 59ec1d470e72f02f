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
 */
final class HistoryAnswer implements AnswerStream {
    private static final byte[] HEAD = "{\"v\":1,\"ok\":true,\"result\":{\"records\":[".getBytes(StandardCharsets.UTF_8);

    private final Journal.Tail tail;
    private byte[] piece = HEAD;
    private int offset;
    private boolean first = true;
    private boolean ended;
    private long skipped;

    HistoryAnswer(Journal.Tail tail) {
        this.tail = tail;
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

    private byte[] nextPiece() throws IOException {
        String line;
        while ((line = tail.nextLine()) != null) {
            try {
                String record = Json.write(Json.parseObject(line));
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

    @Override
    public void close() throws IOException {
        tail.close();
    }
}

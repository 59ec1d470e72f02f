package io.warden.daemon;

import io.warden.api.AnswerStream;
import io.warden.json.Json;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The {@code list} answer, {@code {"v":1,"ok":true,"result":{"services":[...]}}}, written one service's document at
 * a time as the client reads it: encoded whole, 5,000 services' documents were a 7 MB string grown by doubling, which
 * ran the daemon's 32 MiB heap out. Now an answer holds one document and one block, whatever the number of services.
 */
final class ListAnswer implements AnswerStream {
    private static final byte[] HEAD = "{\"v\":1,\"ok\":true,\"result\":{\"services\":[".getBytes(StandardCharsets.UTF_8);
    private static final byte[] TAIL = "]}}\n".getBytes(StandardCharsets.UTF_8);

    private final List<Snapshot> snapshots;
    private int next;
    private byte[] piece = HEAD;
    private int offset;

    ListAnswer(List<Snapshot> snapshots) {
        this.snapshots = snapshots;
    }

    @Override
    public boolean fill(ByteBuffer buf) {
        while (buf.hasRemaining()) {
            if (piece == null) {
                if (next > snapshots.size()) return false;
                piece = nextPiece();
                offset = 0;
            }
            int n = Math.min(buf.remaining(), piece.length - offset);
            buf.put(piece, offset, n);
            offset += n;
            if (offset == piece.length) piece = null;
        }
        return piece != null || next <= snapshots.size();
    }

    private byte[] nextPiece() {
        int i = next++;
        if (i == snapshots.size()) return TAIL;
        String doc = Json.write(snapshots.get(i).toJson());
        return (i == 0 ? doc : "," + doc).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        piece = null;
        next = snapshots.size() + 1;
    }
}

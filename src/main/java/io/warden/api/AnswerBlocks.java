package io.warden.api;

import org.tinylog.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One streamed answer (history, metrics) on its way out: a block of {@link #SIZE} bytes at a time, the next one
 * produced on a worker only once the client has taken the last, so a client that does not read holds one block.
 * The selector thread drives it; {@link #fill} reports back through the server's completions.
 */
final class AnswerBlocks {
    /** Block size of a streamed answer: what a connection holds at most while its client is not reading. */
    static final int SIZE = 16 * 1024;

    /** Writes as much of a buffer as the socket takes; true when all of it went. */
    interface Sink {
        boolean write(ByteBuffer b) throws IOException;
    }

    /** Called on the selector thread when a fill is back: {@code failure} null unless the answer broke off. */
    interface Filled {
        void filled(AnswerBlocks blocks, IOException failure);
    }

    enum Progress {
        /** The socket is full: wait until it takes more. */
        SOCKET_FULL,
        /** A worker is producing the next block: wait for it. */
        FILLING,
        /** Every byte went out; the stream is closed. */
        DONE
    }

    private final AnswerStream stream;
    private ByteBuffer block;
    private boolean last;
    private boolean filling;

    AnswerBlocks(AnswerStream stream) {
        this.stream = stream;
    }

    boolean filling() {
        return filling;
    }

    /** Sends what the block holds; asks for the next block once it is out. */
    Progress send(Sink socket, ServerThreads threads, Filled back) throws IOException {
        if (filling) return Progress.FILLING;
        if (block != null && block.hasRemaining() && !socket.write(block)) return Progress.SOCKET_FULL;
        if (last) {
            close();
            return Progress.DONE;
        }
        fill(threads, back);
        return Progress.FILLING;
    }

    private void fill(ServerThreads threads, Filled back) {
        if (block == null) block = ByteBuffer.allocate(SIZE);
        block.clear();
        filling = true;
        ByteBuffer b = block;
        threads.offload(() -> {
            boolean more;
            IOException failure = null;
            try {
                more = stream.fill(b);
            } catch (IOException e) {
                more = false;
                failure = e;
            }
            boolean hasMore = more;
            IOException err = failure;
            threads.complete(() -> {
                filling = false;
                if (err == null) {
                    b.flip();
                    last = !hasMore;
                }
                back.filled(this, err);
            });
        });
    }

    /** Closes the stream; the block goes with this object. */
    void close() {
        close(stream);
    }

    static void close(AnswerStream s) {
        if (s == null) return;
        try {
            s.close();
        } catch (IOException e) {
            Logger.debug("closing a streamed answer: {}", e.getMessage());
        }
    }
}

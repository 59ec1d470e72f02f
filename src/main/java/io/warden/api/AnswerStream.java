package io.warden.api;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * An answer line too large to hold whole (history): produced a block at a time, each block only once the client
 * has taken the previous one, so a client that does not read costs one block, not the answer. {@link #fill} may
 * read files and runs on a worker thread, never on the selector thread.
 */
public interface AnswerStream extends Closeable {
    /** Puts the next bytes of the answer into {@code buf}; returns false once the answer (with its newline) is complete. */
    boolean fill(ByteBuffer buf) throws IOException;
}

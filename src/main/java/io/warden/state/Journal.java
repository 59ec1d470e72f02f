package io.warden.state;

import io.warden.json.Json;
import io.warden.json.JsonException;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Append-only record of transitions, one JSON object per line. Bounded: when the current file passes
 * {@code maxBytes} it becomes {@code journal.1.jsonl} (replacing the previous one), so the journal never holds
 * more than about twice that, however fast a crash loop appends.
 */
public final class Journal {
    public static final String FILE = "journal.jsonl";
    public static final String ROTATED = "journal.1.jsonl";
    public static final long DEFAULT_MAX_BYTES = 256 * 1024;

    private final Path current;
    private final Path rotated;
    private final long maxBytes;
    private final FileSync sync;

    public Journal(Path dir, long maxBytes) {
        this(dir, maxBytes, FileSync.SYSTEM);
    }

    public Journal(Path dir, long maxBytes, FileSync sync) {
        this.current = dir.resolve(FILE);
        this.rotated = dir.resolve(ROTATED);
        this.maxBytes = maxBytes;
        this.sync = sync;
    }

    /** Bytes on the volume, both files together (a file not there counts 0). */
    public long bytes() {
        long n = 0;
        for (Path p : new Path[] {current, rotated}) {
            try {
                n += Files.size(p);
            } catch (IOException e) {
                // not there yet (no record written, or never rotated): it holds nothing
            }
        }
        return n;
    }

    /** Appends one record and makes it durable. A torn last line (crash mid-append) is skipped by {@link #read}. */
    public void append(Map<String, Object> record) throws IOException {
        appendAll(List.of(record));
    }

    /** Appends records in order with one write and one fsync (a container stop's records of every service). */
    public synchronized void appendAll(List<Map<String, Object>> records) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> r : records) sb.append(Json.write(r)).append('\n');
        byte[] line = sb.toString().getBytes(StandardCharsets.UTF_8);
        boolean created = !Files.exists(current);
        // READ and WRITE rather than APPEND (the JDK refuses READ with APPEND); one writer holds the state lock
        try (FileChannel ch = FileChannel.open(current, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ch.position(ch.size());
            if (ch.size() > 0 && !endsWithNewline(ch)) {
                // a crash cut the previous line short: start on a fresh line so this record stays readable
                ch.write(ByteBuffer.wrap(new byte[] {'\n'}));
            }
            ByteBuffer buf = ByteBuffer.wrap(line);
            while (buf.hasRemaining()) ch.write(buf);
            sync.file(ch, current, false);
            if (ch.size() > maxBytes) {
                rotate();
                created = true;
            }
        }
        if (created) sync.directory(current.getParent());
    }

    private static boolean endsWithNewline(FileChannel ch) throws IOException {
        ByteBuffer last = ByteBuffer.allocate(1);
        ch.read(last, ch.size() - 1);
        return last.get(0) == '\n';
    }

    private void rotate() throws IOException {
        Files.move(current, rotated, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** All readable records, oldest first; lines that do not parse (a torn append) are counted, not returned. */
    public Reading read() throws IOException {
        return read(Integer.MAX_VALUE);
    }

    /** The readable records among the last {@code lines} lines, oldest first (see {@link #read()}). */
    public Reading read(int lines) throws IOException {
        List<Map<String, Object>> records = new ArrayList<>();
        int skipped = 0;
        try (Tail tail = tail(lines)) {
            String line;
            while ((line = tail.nextLine()) != null) {
                try {
                    records.add(Json.parseObject(line));
                } catch (JsonException e) {
                    skipped++;
                }
            }
        }
        return new Reading(records, skipped);
    }

    /**
     * The last {@code lines} non-empty lines, read from a snapshot of the two files taken without the lock that
     * {@link #append} holds: a reader, however slow (a client that reads its answer a byte at a time), never
     * delays an append. Rotation renames files but leaves open ones readable, so the snapshot is the pair of
     * files open at one moment: the current one is opened, then the rotated one, and if a rotation came between
     * the two (the current path no longer names the file opened) both are opened again.
     */
    public Tail tail(int lines) throws IOException {
        for (int attempt = 0; attempt < 10; attempt++) {
            FileChannel cur = null;
            FileChannel old = null;
            try {
                Object before = fileKey(current);
                cur = openIfPresent(current);
                Object curKey = fileKey(current);
                if (!Objects.equals(before, curKey)) continue;
                before = fileKey(rotated);
                old = openIfPresent(rotated);
                Object oldKey = fileKey(rotated);
                // a rotation since the current file was opened makes the rotated file that same file: again
                if (!Objects.equals(before, oldKey) || (oldKey != null && oldKey.equals(curKey))) continue;
                Tail t = new Tail(old, cur, lines);
                old = null;
                cur = null;
                return t;
            } finally {
                closeQuietly(cur);
                closeQuietly(old);
            }
        }
        throw new IOException("the journal in " + current.getParent() + " rotated during each of 10 attempts to read it");
    }

    private static FileChannel openIfPresent(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static Object fileKey(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException e) {
            // a read-only channel has nothing to flush: a failed close loses nothing
        }
    }

    /**
     * A snapshot of the journal's last lines, read forward in small blocks: memory stays at one block and one
     * line however large the journal or the request. Lines are returned as text (malformed UTF-8 replaced) for
     * the caller to parse.
     */
    public static final class Tail implements Closeable {
        private static final int BLOCK = 8192;
        private static final int MAX_LINE = 64 * 1024;
        private final FileChannel[] files;
        private final long[] from;
        private final long[] to;
        private final ByteBuffer block = ByteBuffer.allocate(BLOCK);
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        private int file;
        private long pos;
        private boolean lineHasText;

        Tail(FileChannel rotated, FileChannel current, int lines) throws IOException {
            files = new FileChannel[] {rotated, current};
            from = new long[2];
            to = new long[2];
            for (int i = 0; i < 2; i++) to[i] = files[i] == null ? 0 : files[i].size();
            int wanted = lines;
            for (int i = 1; i >= 0; i--) {
                if (files[i] == null) continue;
                long start = startOfLastLines(files[i], to[i], wanted);
                from[i] = Math.max(0, start);
                if (start >= 0) {
                    // enough lines in the newer file: nothing of the older one is needed
                    if (i == 1) from[0] = to[0];
                    break;
                }
                wanted = (int) -(start + 1);
            }
            file = 0;
            pos = from[0];
            block.limit(0);
        }

        /**
         * Where the last {@code lines} non-empty lines of {@code ch} (up to {@code end}) begin; when the file has
         * fewer, {@code -(1 + lines still wanted)} so the caller goes on in the older file.
         */
        private long startOfLastLines(FileChannel ch, long end, int lines) throws IOException {
            if (lines <= 0) return end;
            ByteBuffer b = ByteBuffer.allocate(BLOCK);
            int found = 0;
            boolean inLine = false;
            long p = end;
            while (p > 0) {
                int len = (int) Math.min(BLOCK, p);
                p -= len;
                b.clear().limit(len);
                while (b.hasRemaining()) {
                    if (ch.read(b, p + b.position()) < 0) throw new IOException("journal shrank while being read");
                }
                for (int i = len - 1; i >= 0; i--) {
                    byte c = b.get(i);
                    if (c == '\n') {
                        if (inLine && ++found == lines) return p + i + 1;
                        inLine = false;
                    } else if (c != ' ' && c != '\r' && c != '\t') {
                        inLine = true;
                    }
                }
            }
            if (inLine) found++;
            return found >= lines ? 0 : -(1 + (lines - found));
        }

        /** Back to the snapshot's first line, for a second pass over the same lines. */
        public void rewind() {
            file = 0;
            pos = from[0];
            block.limit(0);
            line.reset();
            lineHasText = false;
        }

        /** The next line of the snapshot (without its newline), or null at its end; blank lines are passed over. */
        public String nextLine() throws IOException {
            line.reset();
            lineHasText = false;
            while (true) {
                if (!block.hasRemaining() && !refill()) {
                    if (line.size() == 0) return null;
                    return finish();
                }
                while (block.hasRemaining()) {
                    byte c = block.get();
                    if (c == '\n') {
                        if (!isBlank()) return finish();
                        line.reset();
                    } else {
                        if (c != ' ' && c != '\r' && c != '\t') lineHasText = true;
                        // a line longer than any record is damage: kept short, it fails to parse and is counted
                        if (line.size() < MAX_LINE) line.write(c);
                    }
                }
            }
        }

        private boolean isBlank() {
            return !lineHasText;
        }

        private String finish() {
            String s = line.toString(StandardCharsets.UTF_8);
            line.reset();
            lineHasText = false;
            return s.isBlank() ? null : s;
        }

        /** Reads the next block; at the end of one file, a line still open there ends (a torn append). */
        private boolean refill() throws IOException {
            while (file < 2) {
                if (files[file] != null && pos < to[file]) {
                    block.clear().limit((int) Math.min(BLOCK, to[file] - pos));
                    int n = files[file].read(block, pos);
                    if (n <= 0) throw new IOException("journal shrank while being read");
                    pos += n;
                    block.flip();
                    return true;
                }
                file++;
                if (file < 2) pos = from[file];
                if (line.size() > 0 && !isBlank()) {
                    // the older file ended without a newline: its last line is a line of its own
                    block.clear().put((byte) '\n').flip();
                    return true;
                }
            }
            return false;
        }

        @Override
        public void close() throws IOException {
            for (FileChannel ch : files) closeQuietly(ch);
        }
    }

    /** What {@link #read} found: the records and how many damaged lines were passed over. */
    public record Reading(List<Map<String, Object>> records, int skippedLines) {
    }
}

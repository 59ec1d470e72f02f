package io.warden.state;

import io.warden.json.Json;
import io.warden.json.JsonException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

    public Journal(Path dir, long maxBytes) {
        this.current = dir.resolve(FILE);
        this.rotated = dir.resolve(ROTATED);
        this.maxBytes = maxBytes;
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
            ch.force(false);
            if (ch.size() > maxBytes) {
                rotate();
                created = true;
            }
        }
        if (created) DurableFile.syncDirectory(current.getParent());
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
    public synchronized Reading read() throws IOException {
        List<Map<String, Object>> records = new ArrayList<>();
        int skipped = readFile(rotated, records) + readFile(current, records);
        return new Reading(records, skipped);
    }

    private static int readFile(Path file, List<Map<String, Object>> into) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return 0;
        } catch (java.nio.charset.MalformedInputException e) {
            lines = List.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n"));
        }
        int skipped = 0;
        for (String line : lines) {
            if (line.isBlank()) continue;
            try {
                into.add(Json.parseObject(line));
            } catch (JsonException e) {
                skipped++;
            }
        }
        return skipped;
    }

    /** What {@link #read} found: the records and how many damaged lines were passed over. */
    public record Reading(List<Map<String, Object>> records, int skippedLines) {
    }
}

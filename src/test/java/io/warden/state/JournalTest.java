package io.warden.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalTest {
    @TempDir
    Path dir;

    private static Map<String, Object> record(long seq) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", "2026-03-01T10:15:30Z");
        m.put("event", "gateway-down");
        m.put("seq", seq);
        m.put("detail", "pid 7325 exited with code 1; padding to make the line about a hundred bytes");
        return m;
    }

    private static List<Long> seqs(Journal.Reading r) {
        List<Long> out = new ArrayList<>();
        for (Map<String, Object> m : r.records()) out.add((Long) m.get("seq"));
        return out;
    }

    @Test
    void empty_journal_reads_nothing() throws IOException {
        Journal.Reading r = new Journal(dir, 4096).read();
        assertEquals(List.of(), r.records());
        assertEquals(0, r.skippedLines());
    }

    @Test
    void append_then_read_in_order() throws IOException {
        Journal j = new Journal(dir, Journal.DEFAULT_MAX_BYTES);
        for (long i = 0; i < 5; i++) j.append(record(i));
        Journal.Reading r = j.read();
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), seqs(r));
        assertEquals(0, r.skippedLines());
        assertEquals(record(3), r.records().get(3));
        List<String> lines = Files.readAllLines(dir.resolve(Journal.FILE));
        assertEquals(5, lines.size(), "one JSON object per line");
        // a new Journal over the same directory reads the same
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), seqs(new Journal(dir, Journal.DEFAULT_MAX_BYTES).read()));
    }

    @Test
    void rotation_keeps_the_journal_bounded_and_the_newest_records() throws IOException {
        long max = 4096;
        Journal j = new Journal(dir, max);
        int n = 1000;
        long lineLen = 0;
        for (long i = 0; i < n; i++) {
            Map<String, Object> rec = record(i);
            lineLen = Math.max(lineLen, io.warden.json.Json.write(rec).length() + 1);
            j.append(rec);
            long total = size(dir.resolve(Journal.FILE)) + size(dir.resolve(Journal.ROTATED));
            assertTrue(total <= 2 * max + lineLen, "after record " + i + " the journal holds " + total + " bytes");
        }
        assertTrue(Files.exists(dir.resolve(Journal.ROTATED)), "it rotated");
        Journal.Reading r = j.read();
        List<Long> seqs = seqs(r);
        assertEquals(n - 1, seqs.get(seqs.size() - 1), "the newest record is kept and read last");
        assertTrue(seqs.size() >= max / lineLen, "at least one file's worth kept: " + seqs.size());
        for (int i = 1; i < seqs.size(); i++) {
            assertEquals(seqs.get(i - 1) + 1, seqs.get(i), "contiguous and oldest first");
        }
        assertEquals(0, r.skippedLines());
    }

    private static long size(Path p) throws IOException {
        return Files.exists(p) ? Files.size(p) : 0;
    }

    @Test
    void torn_last_line_is_skipped_and_counted_and_later_records_stay_readable() throws IOException {
        Journal j = new Journal(dir, Journal.DEFAULT_MAX_BYTES);
        j.append(record(1));
        // a crash in the middle of an append: half a line, no newline
        Files.writeString(dir.resolve(Journal.FILE), "{\"at\":\"2026-03-01T10:15:31Z\",\"event\":\"gatew",
                StandardOpenOption.APPEND);
        Journal.Reading torn = j.read();
        assertEquals(List.of(1L), seqs(torn));
        assertEquals(1, torn.skippedLines());

        j.append(record(2));
        j.append(record(3));
        Journal.Reading r = j.read();
        assertEquals(List.of(1L, 2L, 3L), seqs(r));
        assertEquals(1, r.skippedLines());
    }

    @Test
    void invalid_utf8_garbage_is_skipped_too() throws IOException {
        Journal j = new Journal(dir, Journal.DEFAULT_MAX_BYTES);
        j.append(record(1));
        Files.write(dir.resolve(Journal.FILE), new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, (byte) 0xc3},
                StandardOpenOption.APPEND);
        j.append(record(2));
        Journal.Reading r = j.read();
        assertEquals(List.of(1L, 2L), seqs(r));
        assertEquals(1, r.skippedLines());
    }

    @Test
    void non_ascii_text_survives() throws IOException {
        Journal j = new Journal(dir, Journal.DEFAULT_MAX_BYTES);
        Map<String, Object> m = record(1);
        m.put("reason", "Wartung für Kanal ✓ \u2028 ok");
        j.append(m);
        assertEquals(m, j.read().records().get(0));
        assertTrue(Files.readString(dir.resolve(Journal.FILE), StandardCharsets.UTF_8).endsWith("\n"));
    }

    @Test
    void the_last_n_lines_come_from_both_files_in_order() throws IOException {
        Journal j = new Journal(dir, 2000);
        for (long i = 0; i < 60; i++) j.append(record(i));
        List<Long> all = seqs(j.read());
        assertTrue(Files.exists(dir.resolve(Journal.ROTATED)), "rotated at least once");
        for (int n : new int[] {0, 1, 5, 13, all.size() - 1, all.size(), all.size() + 10, Integer.MAX_VALUE}) {
            List<Long> want = all.subList(Math.max(0, all.size() - Math.min(n, all.size())), all.size());
            assertEquals(want, seqs(j.read(n)), "last " + n);
        }
        long newest = all.get(all.size() - 1);
        assertEquals(List.of(newest - 1, newest), seqs(j.read(2)), "newest last");
    }

    @Test
    void a_torn_line_in_the_tail_counts_as_one_of_the_n_and_as_skipped() throws IOException {
        Journal j = new Journal(dir, Journal.DEFAULT_MAX_BYTES);
        for (long i = 0; i < 4; i++) j.append(record(i));
        Files.writeString(dir.resolve(Journal.FILE), "{\"at\":\"2026", StandardOpenOption.APPEND);
        Journal.Reading r = j.read(2);
        assertEquals(List.of(3L), seqs(r));
        assertEquals(1, r.skippedLines());
    }

    /** A reader must never wait for the lock that appends take: a history flood would delay decisions. */
    @Test
    void reading_does_not_wait_for_the_append_lock() throws Exception {
        Journal j = new Journal(dir, Journal.DEFAULT_MAX_BYTES);
        for (long i = 0; i < 3; i++) j.append(record(i));
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread appender = new Thread(() -> {
            synchronized (j) { // what an append in progress holds
                held.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        appender.start();
        try {
            held.await();
            java.util.concurrent.CompletableFuture<Journal.Reading> r =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return j.read(2);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            assertEquals(List.of(1L, 2L), seqs(r.get(5, java.util.concurrent.TimeUnit.SECONDS)),
                    "read while an append holds the lock");
        } finally {
            release.countDown();
            appender.join();
        }
    }

    @Test
    void a_reader_snapshot_left_open_does_not_stop_appends_or_rotation() throws IOException {
        Journal j = new Journal(dir, 1500);
        for (long i = 0; i < 5; i++) j.append(record(i));
        try (Journal.Tail tail = j.tail(100)) {
            assertTrue(tail.nextLine().contains("\"seq\":0"));
            for (long i = 5; i < 40; i++) j.append(record(i)); // several rotations under the open snapshot
            int rest = 0;
            while (tail.nextLine() != null) rest++;
            assertEquals(4, rest, "the snapshot is the journal as it was when it was taken");
        }
        List<Long> now = seqs(j.read());
        assertEquals(39L, now.get(now.size() - 1));
    }
}

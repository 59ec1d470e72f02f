package io.warden.api;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WatchBufferTest {
    private final AtomicInteger flushes = new AtomicInteger();
    private final WatchBuffer buffer = new WatchBuffer(flushes::incrementAndGet, () -> 42L);

    @Test
    void a_batch_of_lines_costs_one_flush_and_a_line_after_the_batch_another() {
        assertTrue(buffer.offer(new byte[] {'a', '\n'}));
        assertTrue(buffer.offer(new byte[] {'b', '\n'}));
        assertEquals(1, flushes.get());
        assertArrayEquals(new byte[] {'a', '\n'}, buffer.poll());
        assertArrayEquals(new byte[] {'b', '\n'}, buffer.poll());
        assertNull(buffer.poll());
        assertTrue(buffer.offer(new byte[] {'c', '\n'}));
        assertEquals(2, flushes.get());
    }

    @Test
    void a_watcher_that_leaves_the_bound_unread_overflows_and_its_last_line_still_goes_out() {
        byte[] kib = new byte[1024];
        for (int i = 0; i < WatchBuffer.BYTES / 1024; i++) assertTrue(buffer.offer(kib), "line " + i);
        assertFalse(buffer.offer(new byte[1]), "one byte past the bound is refused");
        byte[] why = "dropped\n".getBytes();
        buffer.end(why);
        assertTrue(buffer.ended());
        assertEquals(42L, buffer.endedAt());
        assertFalse(buffer.offer(new byte[1]), "nothing after the end");
        byte[] last = null;
        for (byte[] b; (b = buffer.poll()) != null; ) last = b;
        assertArrayEquals(why, last);
        assertTrue(buffer.isEmpty());
    }

    @Test
    void taking_lines_makes_room_again() {
        byte[] half = new byte[WatchBuffer.BYTES / 2];
        assertTrue(buffer.offer(half));
        assertTrue(buffer.offer(half));
        assertFalse(buffer.offer(new byte[1]));
        buffer.poll();
        assertTrue(buffer.offer(new byte[1]));
    }
}

package io.warden.api;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.net.StandardProtocolFamily;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestReaderTest {
    @Test
    void blanks_around_a_line_are_trimmed_but_not_controls() {
        byte[] b = " \t{\"op\":\"status\"}\r ".getBytes();
        assertEquals("{\"op\":\"status\"}", RequestReader.trimLine(b, b.length));
        byte[] nul = "\u0000x".getBytes();
        assertEquals("\u0000x", RequestReader.trimLine(nul, nul.length));
    }

    @Test
    void lines_come_one_at_a_time_and_the_rest_only_at_the_end_of_input() throws Exception {
        try (var server = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            java.nio.file.Path p = java.nio.file.Files.createTempDirectory("reader").resolve("s");
            server.bind(java.net.UnixDomainSocketAddress.of(p));
            try (SocketChannel client = SocketChannel.open(java.net.UnixDomainSocketAddress.of(p));
                 SocketChannel ch = server.accept()) {
                client.write(ByteBuffer.wrap("a\n\nb".getBytes()));
                RequestReader r = new RequestReader();
                assertTrue(r.read(ch) > 0);
                assertEquals("a", r.next(false));
                assertEquals("", r.next(false));
                assertNull(r.next(false), "no newline yet");
                assertEquals("b", r.next(true), "at the end of input the rest is a line");
                assertEquals(0, r.buffered());
                assertFalse(r.overlong());
            } finally {
                java.nio.file.Files.deleteIfExists(p);
                java.nio.file.Files.deleteIfExists(p.getParent());
            }
        }
    }
}

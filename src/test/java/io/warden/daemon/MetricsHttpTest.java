package io.warden.daemon;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The metrics listener's answers and bounds, on a real loopback port; its clock is the test's. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsHttpTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);
    private final AtomicInteger renders = new AtomicInteger();
    private MetricsHttp http;
    private int port;

    private void start() throws IOException {
        http = MetricsHttp.start(new InetSocketAddress("127.0.0.1", 0),
                () -> "# TYPE warden_x gauge\nwarden_x " + renders.incrementAndGet() + "\n", nanos::get);
        String a = http.address();
        port = Integer.parseInt(a.substring(a.lastIndexOf(':') + 1));
    }

    @AfterEach
    void stop() {
        if (http != null) http.close();
    }

    /** One exchange: the request sent whole, the answer read to the close. */
    private String exchange(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private String get(String path) throws IOException {
        return exchange("GET " + path + " HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n");
    }

    @Test
    void a_scrape_gets_the_exposition_and_nothing_else_is_served() throws IOException {
        start();
        String ok = get("/metrics");
        assertTrue(ok.startsWith("HTTP/1.1 200 OK\r\n"), ok);
        assertTrue(ok.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), ok);
        assertTrue(ok.contains("Connection: close\r\n"), ok);
        assertTrue(ok.endsWith("\r\n\r\n# TYPE warden_x gauge\nwarden_x 1\n"), ok);
        assertTrue(ok.contains("Content-Length: 33\r\n"), ok);
        assertTrue(get("/metrics?name[]=x").startsWith("HTTP/1.1 200 "), "a query string is the same page");
        assertTrue(get("/").startsWith("HTTP/1.1 404 "));
        String post = exchange("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
        assertTrue(post.startsWith("HTTP/1.1 405 ") && post.contains("Allow: GET, HEAD\r\n"), post);
        String head = exchange("HEAD /metrics HTTP/1.0\n\n");
        assertTrue(head.startsWith("HTTP/1.1 200 ") && head.endsWith("\r\n\r\n"), "no body for HEAD: " + head);
        assertTrue(exchange("nonsense\r\n\r\n").startsWith("HTTP/1.1 400 "));
    }

    @Test
    void scrapes_within_a_second_share_one_rendering() throws IOException {
        start();
        for (int i = 0; i < 5; i++) assertTrue(get("/metrics").endsWith("warden_x 1\n"));
        assertEquals(1, renders.get());
        nanos.addAndGet(MetricsHttp.REUSE_NANOS);
        assertTrue(get("/metrics").endsWith("warden_x 2\n"), "rendered again a second later");
    }

    @Test
    void a_request_head_past_its_bound_is_refused() throws IOException {
        start();
        // exactly the bound, and no end of the head in it
        String start = "GET /metrics HTTP/1.1\r\nX-Pad: ";
        String big = start + "a".repeat(MetricsHttp.MAX_HEAD_BYTES - start.length());
        String answer;
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(big.getBytes(StandardCharsets.ISO_8859_1));
            answer = readAll(s.getInputStream());
        }
        assertTrue(answer.startsWith("HTTP/1.1 431 "), answer);
    }

    @Test
    void connections_past_the_bound_are_closed_at_once_and_a_slot_frees_at_the_deadline() throws Exception {
        start();
        List<Socket> silent = new ArrayList<>();
        try {
            for (int i = 0; i < MetricsHttp.MAX_CONNECTIONS; i++) silent.add(new Socket("127.0.0.1", port));
            // the listener holds every slot now; one more is closed without an answer, at once
            assertEquals("", awaitClosedUnanswered(), "past the bound");
            // the silent ones reach their deadline (the listener's clock): their slots free, a scrape gets in
            nanos.addAndGet(MetricsHttp.REQUEST_DEADLINE_NANOS + 1);
            for (Socket s : silent) {
                s.setSoTimeout(10_000);
                assertEquals(-1, s.getInputStream().read(), "closed at the deadline");
            }
            assertTrue(get("/metrics").startsWith("HTTP/1.1 200 "));
        } finally {
            for (Socket s : silent) s.close();
        }
    }

    /** A connection made while every slot is taken: what it reads before the close (nothing, when refused). */
    private String awaitClosedUnanswered() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            // the slots are taken only once the listener has accepted all of them: until then, one more may get in
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                s.setSoTimeout(2_000);
                try {
                    return readAll(s.getInputStream());
                } catch (java.net.SocketTimeoutException notRefused) {
                    Thread.sleep(50);
                }
            }
        }
        throw new AssertionError("a connection past the bound was never closed");
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = new byte[4096];
        int n;
        try {
            while ((n = in.read(b)) > 0) out.write(b, 0, n);
        } catch (java.net.SocketException reset) {
            // a reset after the answer: what was read is the answer
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}

package io.warden.daemon;

import io.warden.metrics.Exposition;
import org.tinylog.Logger;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /metrics} over HTTP when {@code WARDEN_METRICS_LISTEN} is set: the same text as {@code warden metrics},
 * nothing else. One selector thread serves every connection without blocking, so a client that sends a byte and
 * waits, or never reads its answer, delays no other scrape. Bounded in what a peer (a remote one, when bound to
 * all addresses) can make warden hold: {@link #MAX_CONNECTIONS} connections at once (a connection past them is
 * closed at once, so the daemon's file descriptors stay its own), a request head of {@link #MAX_HEAD_BYTES} that
 * must arrive within {@link #REQUEST_DEADLINE_NANOS}, an answer that must be taken within
 * {@link #ANSWER_DEADLINE_NANOS}, and one rendering shared by every scrape of the same second. One exchange per
 * connection ({@code Connection: close}). Nothing of this class is loaded when the setting is unset.
 */
final class MetricsHttp implements AutoCloseable {
    /** Connections at once: a Prometheus server or two and their retries, with room to spare. */
    static final int MAX_CONNECTIONS = 16;
    /** The request line and headers, whole: a scrape sends a few hundred bytes. */
    static final int MAX_HEAD_BYTES = 8192;
    /** From accept to the end of the request head. */
    static final long REQUEST_DEADLINE_NANOS = 5_000_000_000L;
    /** From accept to the last byte of the answer taken (Prometheus's own scrape timeout defaults to 10 s). */
    static final long ANSWER_DEADLINE_NANOS = 15_000_000_000L;
    /** A rendering is reused by scrapes within this time: a flood of scrapes costs one rendering a second. */
    static final long REUSE_NANOS = 1_000_000_000L;

    private final ServerSocketChannel server;
    private final Selector selector;
    private final Supplier<String> render;
    private final LongSupplier nanos;
    private final Set<Exchange> exchanges = new LinkedHashSet<>();
    private final Thread thread;
    private byte[] body;
    private long renderedAt;
    private volatile boolean closed;

    private MetricsHttp(ServerSocketChannel server, Selector selector, Supplier<String> render, LongSupplier nanos) {
        this.server = server;
        this.selector = selector;
        this.render = render;
        this.nanos = nanos;
        this.thread = new Thread(this::loop, "warden-metrics-http");
        thread.setDaemon(true);
    }

    /** Binds {@code at} (a host name is resolved now) and serves; a port in use fails the start, loudly. */
    static MetricsHttp start(InetSocketAddress at, Supplier<String> render) throws IOException {
        return start(at, render, System::nanoTime);
    }

    static MetricsHttp start(InetSocketAddress at, Supplier<String> render, LongSupplier nanos) throws IOException {
        InetSocketAddress bind = new InetSocketAddress(at.getHostString(), at.getPort());
        if (bind.isUnresolved()) throw new IOException("WARDEN_METRICS_LISTEN: cannot resolve " + at.getHostString());
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(bind, MAX_CONNECTIONS);
            server.configureBlocking(false);
        } catch (IOException e) {
            server.close();
            throw new IOException("WARDEN_METRICS_LISTEN: cannot listen on " + at.getHostString() + ":" + at.getPort()
                    + ": " + e.getMessage(), e);
        }
        Selector selector = Selector.open();
        server.register(selector, SelectionKey.OP_ACCEPT);
        MetricsHttp http = new MetricsHttp(server, selector, render, nanos);
        http.thread.start();
        return http;
    }

    private void loop() {
        try {
            while (!closed) {
                selector.select(exchanges.isEmpty() ? 0 : 250);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (!key.isValid()) continue;
                    if (key.isAcceptable()) {
                        accept();
                        continue;
                    }
                    Exchange x = (Exchange) key.attachment();
                    try {
                        if (key.isReadable()) x.onReadable();
                        if (key.isValid() && key.isWritable()) x.onWritable();
                    } catch (IOException e) {
                        // a reset or a broken pipe: this client is gone, the others go on
                        x.close();
                    }
                }
                sweep();
            }
        } catch (ClosedSelectorException e) {
            if (!closed) Logger.error(e, "metrics over HTTP stopped: {}", e.toString());
        } catch (Throwable e) {
            Logger.error(e, "metrics over HTTP stopped: {}", e.toString());
        } finally {
            for (Exchange x : new ArrayList<>(exchanges)) x.close();
        }
    }

    private void accept() throws IOException {
        SocketChannel ch;
        while ((ch = server.accept()) != null) {
            if (exchanges.size() >= MAX_CONNECTIONS) {
                // no slot: closed at once, so a flood costs warden no descriptor and no memory
                closeQuietly(ch);
                continue;
            }
            try {
                ch.configureBlocking(false);
                Exchange x = new Exchange(ch, nanos.getAsLong());
                x.key = ch.register(selector, SelectionKey.OP_READ, x);
                exchanges.add(x);
            } catch (IOException e) {
                closeQuietly(ch);
            }
        }
    }

    private void sweep() {
        long now = nanos.getAsLong();
        for (Exchange x : new ArrayList<>(exchanges)) {
            long limit = x.answer == null ? REQUEST_DEADLINE_NANOS : ANSWER_DEADLINE_NANOS;
            if (now - x.accepted > limit) x.close();
        }
    }

    /** The exposition, rendered again only when the last rendering is older than {@link #REUSE_NANOS}. */
    private ByteBuffer body() {
        long now = nanos.getAsLong();
        if (body == null || now - renderedAt >= REUSE_NANOS) {
            body = render.get().getBytes(StandardCharsets.UTF_8);
            renderedAt = now;
        }
        return ByteBuffer.wrap(body).asReadOnlyBuffer();
    }

    String address() {
        try {
            InetSocketAddress a = (InetSocketAddress) server.getLocalAddress();
            return a.getHostString() + ":" + a.getPort();
        } catch (IOException e) {
            return "(closed)";
        }
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(2000);
            if (!thread.isAlive()) selector.close();
            server.close();
        } catch (IOException e) {
            Logger.warn("closing the metrics listener: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            Logger.debug("closing a metrics connection: {}", e.getMessage());
        }
    }

    /** One connection: its request head, then its answer (head and the shared body), then the close. */
    private final class Exchange {
        private final SocketChannel ch;
        private final long accepted;
        private SelectionKey key;
        private ByteBuffer head = ByteBuffer.allocate(512);
        private ByteBuffer[] answer;

        Exchange(SocketChannel ch, long accepted) {
            this.ch = ch;
            this.accepted = accepted;
        }

        void onReadable() throws IOException {
            if (!head.hasRemaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.min(head.capacity() * 4, MAX_HEAD_BYTES));
                head.flip();
                bigger.put(head);
                head = bigger;
            }
            int n = ch.read(head);
            int end = headEnd();
            if (end >= 0) {
                answer(new String(head.array(), 0, end, StandardCharsets.ISO_8859_1));
            } else if (!head.hasRemaining() && head.capacity() >= MAX_HEAD_BYTES) {
                respond(431, "request header fields too large\n", false);
            } else if (n < 0) {
                close();
            }
        }

        /** Where the blank line ending the head begins, or -1 while it has not arrived. */
        private int headEnd() {
            byte[] b = head.array();
            for (int i = 0; i < head.position(); i++) {
                if (b[i] != '\n') continue;
                if (i + 1 < head.position() && b[i + 1] == '\n') return i;
                if (i + 2 < head.position() && b[i + 1] == '\r' && b[i + 2] == '\n') return i;
            }
            return -1;
        }

        private void answer(String head) throws IOException {
            String[] parts = head.lines().findFirst().orElse("").split(" ");
            if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
                respond(400, "bad request\n", false);
                return;
            }
            String method = parts[0];
            String path = parts[1];
            int query = path.indexOf('?');
            if (query >= 0) path = path.substring(0, query);
            boolean headOnly = method.equals("HEAD");
            if (!path.equals("/metrics")) {
                respond(404, "not found: only /metrics is served\n", headOnly);
            } else if (!method.equals("GET") && !headOnly) {
                respond(405, "method not allowed\n", false);
            } else {
                ByteBuffer text;
                try {
                    text = body();
                } catch (RuntimeException e) {
                    // a defect in rendering answers 500 to this scrape; the daemon and the next scrape go on
                    Logger.error(e, "metrics over HTTP failed: {}", e.toString());
                    respond(500, "internal error\n", headOnly);
                    return;
                }
                send(200, Exposition.CONTENT_TYPE, text, headOnly);
            }
        }

        private void respond(int code, String text, boolean headOnly) throws IOException {
            send(code, "text/plain; charset=utf-8", ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), headOnly);
        }

        private void send(int code, String type, ByteBuffer body, boolean headOnly) throws IOException {
            String h = "HTTP/1.1 " + code + " " + reason(code) + "\r\nContent-Type: " + type
                    + "\r\nContent-Length: " + body.remaining() + (code == 405 ? "\r\nAllow: GET, HEAD" : "")
                    + "\r\nConnection: close\r\n\r\n";
            ByteBuffer hb = ByteBuffer.wrap(h.getBytes(StandardCharsets.ISO_8859_1));
            answer = headOnly ? new ByteBuffer[] {hb} : new ByteBuffer[] {hb, body};
            this.head = null;
            key.interestOps(SelectionKey.OP_WRITE);
            onWritable();
        }

        void onWritable() throws IOException {
            ch.write(answer);
            if (answer[answer.length - 1].hasRemaining()) return;
            close();
        }

        void close() {
            if (!exchanges.remove(this)) return;
            if (key != null) key.cancel();
            closeQuietly(ch);
        }
    }

    private static String reason(int code) {
        switch (code) {
            case 200: return "OK";
            case 400: return "Bad Request";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 500: return "Internal Server Error";
            default: return "Request Header Fields Too Large";
        }
    }
}

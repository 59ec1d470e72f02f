package io.warden.daemon;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.warden.metrics.Exposition;
import org.tinylog.Logger;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code GET /metrics} over HTTP when {@code WARDEN_METRICS_LISTEN} is set, with the JDK's own server (module
 * jdk.httpserver): one thread, the same text as {@code warden metrics}. Nothing else is served. The class loads only
 * when the setting is set, so a daemon without it opens no port and loads nothing of it.
 */
final class MetricsHttp implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService thread;

    private MetricsHttp(HttpServer server, ExecutorService thread) {
        this.server = server;
        this.thread = thread;
    }

    /** Binds {@code at} (a host name is resolved now) and serves; a port in use fails the start, loudly. */
    static MetricsHttp start(InetSocketAddress at, Supplier<String> render) throws IOException {
        InetSocketAddress bind = new InetSocketAddress(at.getHostString(), at.getPort());
        if (bind.isUnresolved()) throw new IOException("WARDEN_METRICS_LISTEN: cannot resolve " + at.getHostString());
        HttpServer server;
        try {
            server = HttpServer.create(bind, 16);
        } catch (IOException e) {
            throw new IOException("WARDEN_METRICS_LISTEN: cannot listen on " + at.getHostString() + ":" + at.getPort()
                    + ": " + e.getMessage(), e);
        }
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "warden-metrics-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(thread);
        server.createContext("/", ex -> answer(ex, render));
        server.start();
        return new MetricsHttp(server, thread);
    }

    private static void answer(HttpExchange ex, Supplier<String> render) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            if (!ex.getRequestURI().getPath().equals("/metrics")) {
                send(ex, 404, "text/plain; charset=utf-8", "not found: only /metrics is served\n", method);
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain; charset=utf-8", "method not allowed\n", method);
            } else {
                send(ex, 200, Exposition.CONTENT_TYPE, render.get(), method);
            }
        } catch (RuntimeException e) {
            // a defect in rendering answers 500 to this scrape; the daemon and the next scrape go on
            Logger.error(e, "metrics over HTTP failed: {}", e);
            throw e;
        }
    }

    private static void send(HttpExchange ex, int code, String type, String body, String method) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = method.equals("HEAD");
        ex.sendResponseHeaders(code, head ? -1 : b.length);
        if (!head) {
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        }
    }

    String address() {
        InetSocketAddress a = server.getAddress();
        return a.getHostString() + ":" + a.getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        thread.shutdownNow();
    }
}

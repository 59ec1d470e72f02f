package io.warden.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load generator (bench/run.sh): C concurrent clients, each on its own thread and its own connection to a running
 * daemon, all released at once, each sending R status requests back to back (one outstanding request per client).
 * Prints latency percentiles of every request. Usage: StatusLoad SOCKET [CLIENTS] [REQUESTS_PER_CLIENT].
 */
public final class StatusLoad {
    static final byte[] REQUEST = "{\"v\":1,\"op\":\"status\"}\n".getBytes(StandardCharsets.US_ASCII);

    static final byte[] OK_PREFIX = "{\"v\":1,\"ok\":true".getBytes(StandardCharsets.US_ASCII);

    private StatusLoad() {
    }

    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[0]);
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int perClient = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        long[] lat = new long[clients * perClient];
        AtomicInteger errors = new AtomicInteger();
        CountDownLatch connected = new CountDownLatch(clients);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(clients);
        Thread[] threads = new Thread[clients];
        for (int c = 0; c < clients; c++) {
            final int base = c * perClient;
            threads[c] = new Thread(null, () -> {
                try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    ch.connect(UnixDomainSocketAddress.of(socket));
                    connected.countDown();
                    go.await();
                    ByteBuffer in = ByteBuffer.allocate(64 * 1024);
                    for (int i = 0; i < perClient; i++) {
                        long t0 = System.nanoTime();
                        roundTrip(ch, in);
                        lat[base + i] = System.nanoTime() - t0;
                    }
                } catch (IOException | InterruptedException e) {
                    errors.incrementAndGet();
                    connected.countDown();
                    for (int i = 0; i < perClient; i++) lat[base + i] = Long.MAX_VALUE;
                } finally {
                    done.countDown();
                }
            }, "load-" + c, 128 * 1024);
            threads[c].start();
        }
        connected.await();
        long t0 = System.nanoTime();
        go.countDown();
        done.await();
        long wall = System.nanoTime() - t0;
        Arrays.sort(lat);
        int ok = lat.length;
        while (ok > 0 && lat[ok - 1] == Long.MAX_VALUE) ok--;
        System.out.printf("clients=%d requests=%d errors=%d wall=%.1fms throughput=%.0f/s%n", clients, lat.length,
                errors.get(), wall / 1e6, ok / (wall / 1e9));
        System.out.printf("p50_us=%.1f p90_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f%n", pct(lat, ok, 0.50),
                pct(lat, ok, 0.90), pct(lat, ok, 0.99), pct(lat, ok, 0.999), ok == 0 ? 0 : lat[ok - 1] / 1e3);
        if (errors.get() > 0) System.exit(1);
    }

    static double pct(long[] sorted, int n, double p) {
        if (n == 0) return Double.NaN;
        int i = (int) Math.ceil(p * n) - 1;
        return sorted[Math.max(0, Math.min(n - 1, i))] / 1e3;
    }

    /** Sends one status request and reads up to the answer's newline; throws unless the answer is ok. */
    static void roundTrip(SocketChannel ch, ByteBuffer in) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(REQUEST);
        while (out.hasRemaining()) ch.write(out);
        in.clear();
        while (true) {
            int start = in.position();
            if (ch.read(in) < 0) throw new IOException("closed");
            for (int i = start; i < in.position(); i++) {
                if (in.get(i) == '\n') {
                    for (int k = 0; k < OK_PREFIX.length; k++) {
                        if (k >= in.position() || in.get(k) != OK_PREFIX[k]) {
                            throw new IOException("not ok: " + new String(in.array(), 0, in.position(),
                                    StandardCharsets.UTF_8));
                        }
                    }
                    return;
                }
            }
            if (!in.hasRemaining()) throw new IOException("answer too large");
        }
    }
}

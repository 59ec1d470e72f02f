package io.warden.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live stream against a serving daemon (bench/run.sh; never run by mvn verify). Usage: WatchBench SOCKET
 * WATCHERS CYCLES STATUS_REQUESTS. Intents go back and forth (stop, start) on one connection while watchers read;
 * each event's latency is its arrival at a watcher minus its {@code at} (stamped before its journal record is
 * written, so the fsync counts). Then {@code status} p99 over one connection while events flow, with no watcher
 * and with WATCHERS watchers. Run it as root (or the control group): one unprivileged uid may hold 8 watchers.
 * Prints {@code RESULT key value} lines.
 */
public final class WatchBench {
    private static final Pattern AT = Pattern.compile("\"at\":\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[0]);
        int watchers = Integer.parseInt(args[1]);
        int cycles = Integer.parseInt(args[2]);
        int statusRequests = Integer.parseInt(args[3]);

        double[] one = latencies(socket, 1, cycles);
        print("watch_latency_1_ms", one);
        double[] many = latencies(socket, watchers, cycles);
        print("watch_latency_" + watchers + "_ms", many);

        print("watch_status_0_ms", statusUnderEvents(socket, 0, statusRequests));
        print("watch_status_" + watchers + "_ms", statusUnderEvents(socket, watchers, statusRequests));
    }

    /** Every event's latency at every watcher, in ms, over {@code cycles} stop/start pairs. */
    private static double[] latencies(Path socket, int n, int cycles) throws Exception {
        ConcurrentLinkedQueue<Double> lat = new ConcurrentLinkedQueue<>();
        List<Watcher> ws = new ArrayList<>();
        for (int i = 0; i < n; i++) ws.add(new Watcher(socket, lat));
        try (Line control = new Line(socket)) {
            for (int i = 0; i < cycles; i++) {
                control.ask(i % 2 == 0 ? "{\"op\":\"stop\"}" : "{\"op\":\"start\"}");
                Thread.sleep(30);
            }
            if (cycles % 2 == 1) control.ask("{\"op\":\"start\"}");
        }
        Thread.sleep(1000);
        for (Watcher w : ws) w.close();
        return lat.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** status round trips (ms) on one connection while intents go back and forth, with {@code n} watchers reading. */
    private static double[] statusUnderEvents(Path socket, int n, int requests) throws Exception {
        ConcurrentLinkedQueue<Double> ignored = new ConcurrentLinkedQueue<>();
        List<Watcher> ws = new ArrayList<>();
        for (int i = 0; i < n; i++) ws.add(new Watcher(socket, ignored));
        AtomicBoolean done = new AtomicBoolean();
        Thread churn = new Thread(() -> {
            try (Line control = new Line(socket)) {
                for (int i = 0; !done.get(); i++) {
                    control.ask(i % 2 == 0 ? "{\"op\":\"stop\"}" : "{\"op\":\"start\"}");
                    Thread.sleep(30);
                }
                control.ask("{\"op\":\"start\"}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        churn.start();
        double[] rt = new double[requests];
        try (Line status = new Line(socket)) {
            for (int i = 0; i < 200; i++) status.ask("{\"op\":\"status\"}");
            for (int i = 0; i < requests; i++) {
                long t0 = System.nanoTime();
                status.ask("{\"op\":\"status\"}");
                rt[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        done.set(true);
        churn.join();
        for (Watcher w : ws) w.close();
        return rt;
    }

    private static void print(String key, double[] v) {
        if (v.length == 0) throw new IllegalStateException(key + ": no samples");
        double[] s = v.clone();
        Arrays.sort(s);
        System.out.printf("RESULT %s %.3f%nRESULT %s_p99 %.3f%nRESULT %s_max %.3f%nRESULT %s_n %d%n", key,
                s[s.length / 2], key, s[Math.max(0, (int) Math.ceil(0.99 * s.length) - 1)], key, s[s.length - 1],
                key, s.length);
    }

    /** One blocking connection that asks and reads one answer line at a time. */
    private static final class Line implements AutoCloseable {
        final SocketChannel ch;
        final ByteBuffer in = ByteBuffer.allocate(1 << 16);

        Line(Path socket) throws IOException {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
        }

        String ask(String req) throws IOException {
            ByteBuffer out = ByteBuffer.wrap((req + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) ch.write(out);
            return readLine();
        }

        String readLine() throws IOException {
            while (true) {
                for (int i = 0; i < in.position(); i++) {
                    if (in.get(i) == '\n') {
                        String line = new String(in.array(), 0, i, StandardCharsets.UTF_8);
                        in.flip();
                        in.position(i + 1);
                        in.compact();
                        return line;
                    }
                }
                if (ch.read(in) < 0) return null;
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    /** A watcher on its own thread: each event's arrival minus its stamp goes to {@code lat}. */
    private static final class Watcher {
        final Line line;
        final Thread t;

        Watcher(Path socket, ConcurrentLinkedQueue<Double> lat) throws IOException {
            line = new Line(socket);
            String first = line.ask("{\"op\":\"watch\"}");
            if (!first.contains("\"ok\":true")) throw new IllegalStateException("watch refused: " + first);
            t = new Thread(() -> {
                try {
                    String l;
                    while ((l = line.readLine()) != null) {
                        Instant now = Instant.now();
                        Matcher m = AT.matcher(l);
                        if (!m.find()) continue;
                        Instant at = Instant.parse(m.group(1));
                        lat.add((now.getEpochSecond() - at.getEpochSecond()) * 1e3 + (now.getNano() - at.getNano()) / 1e6);
                    }
                } catch (IOException e) {
                    // closed by close(): the bench is over for this watcher
                }
            });
            t.setDaemon(true);
            t.start();
        }

        void close() throws Exception {
            line.close();
            t.join(5000);
        }
    }
}

package io.warden.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * JMH (run by bench/run.sh, never by mvn verify): one status request/answer round trip over ONE kept-open unix
 * socket connection to a running daemon ({@code -Dwarden.bench.socket=PATH}), and the same with a new connection
 * per request. SampleTime mode gives p50/p99 of single round trips.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StatusBenchmark {
    private Path socket;
    private SocketChannel ch;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);

    @Setup(Level.Trial)
    public void open() throws IOException {
        String s = System.getProperty("warden.bench.socket");
        if (s == null) throw new IllegalStateException("set -Dwarden.bench.socket=PATH (a running warden daemon)");
        socket = Path.of(s);
        ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        ch.close();
    }

    @Benchmark
    public ByteBuffer statusOneConnection() throws IOException {
        StatusLoad.roundTrip(ch, in);
        return in;
    }

    @Benchmark
    public ByteBuffer statusNewConnection() throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            StatusLoad.roundTrip(c, in);
        }
        return in;
    }
}

package io.warden.cli;

import io.warden.json.Json;
import io.warden.json.JsonException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One request, one answer, over the daemon's socket with the JDK's own unix-domain channels (no native code).
 * Every step (connect, send, wait for the answer) is non-blocking and bounded by the caller's deadline, so a
 * daemon that is stopped or stuck can never hold a command past it; a failure says how far the request went
 * ({@link CallFailure}).
 */
public final class Client {
    private static final int MAX_ANSWER_BYTES = 8 * 1024 * 1024;
    /** How often a full accept queue is tried again (the kernel gives no event for room in it). */
    private static final long CONNECT_RETRY_MILLIS = 20;

    private final Path socket;
    private final long timeoutMillis;

    /** A client whose {@link #call(String, Map)} waits at most 10 s; the commands pass their own deadline. */
    public Client(Path socket) {
        this(socket, 10_000);
    }

    /** @param timeoutMillis the bound of each {@link #call(String, Map)} */
    public Client(Path socket, long timeoutMillis) {
        this.socket = socket;
        this.timeoutMillis = timeoutMillis;
    }

    public Path socket() {
        return socket;
    }

    /** Sends {@code op} with extra members, within this client's own timeout; returns the answer (ok or error). */
    public Map<String, Object> call(String op, Map<String, Object> extra) throws IOException {
        return call(op, extra, Deadline.in(timeoutMillis / 1000.0));
    }

    /** Sends {@code op} with extra members; returns the parsed answer (ok or error) if it comes by the deadline. */
    Map<String, Object> call(String op, Map<String, Object> extra, Deadline deadline) throws CallFailure {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("v", 1L);
        req.put("op", op);
        req.put("pid", ProcessHandle.current().pid());
        req.putAll(extra);
        byte[] line = (Json.write(req) + "\n").getBytes(StandardCharsets.UTF_8);
        try (SocketChannel ch = connect(deadline); Selector sel = Selector.open()) {
            send(ch, sel, line, deadline);
            return receive(ch, sel, deadline);
        } catch (CallFailure f) {
            throw f;
        } catch (IOException e) {
            // opening the selector (nothing sent yet), or closing after the answer was read: the stages themselves
            // report their own failures as CallFailure
            throw new CallFailure(CallFailure.Stage.UNREACHABLE, "socket: " + e.getMessage());
        }
    }

    /** A connected non-blocking channel; a failed connect closes its channel, so each try takes a new one. */
    SocketChannel connect(Deadline deadline) throws CallFailure {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
        while (true) {
            SocketChannel ch = null;
            try {
                ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.configureBlocking(false);
                // a unix socket connects at once or fails; a pending connect is finished like any other
                boolean connected = ch.connect(address);
                while (!connected) {
                    if (deadline.passed()) throw notAccepted(deadline);
                    sleep(CONNECT_RETRY_MILLIS);
                    connected = ch.finishConnect();
                }
                // whoever answers there must be warden's user before a request goes out (a socket put in
                // warden's place by another user gets nothing, and its answer is never shown as warden's)
                DaemonIdentity.check(ch, socket);
                SocketChannel done = ch;
                ch = null;
                return done;
            } catch (ConnectException e) {
                throw new CallFailure(CallFailure.Stage.NOT_RUNNING, "connection refused: no daemon listens");
            } catch (CallFailure e) {
                throw e;
            } catch (IOException e) {
                if (!Files.exists(socket)) {
                    throw new CallFailure(CallFailure.Stage.NOT_RUNNING, "no socket (" + e.getMessage() + ")");
                }
                // EAGAIN: the daemon's accept queue is full (it is stopped or overwhelmed). The JDK reports it only
                // by its message; anything else (EACCES, ...) will not get better by waiting.
                String m = String.valueOf(e.getMessage());
                if (!m.contains("temporarily unavailable")) {
                    throw new CallFailure(CallFailure.Stage.UNREACHABLE, "cannot connect: " + m);
                }
                if (deadline.passed()) throw notAccepted(deadline);
                sleep(CONNECT_RETRY_MILLIS);
            } finally {
                closeQuietly(ch);
            }
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException e) {
            // a channel that never carried a byte: nothing can be lost by a failed close
        }
    }

    private static CallFailure notAccepted(Deadline deadline) {
        return new CallFailure(CallFailure.Stage.UNREACHABLE,
                "the daemon did not accept the connection within " + deadline.seconds() + " s");
    }

    private static void sleep(long millis) throws CallFailure {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallFailure(CallFailure.Stage.UNREACHABLE, "interrupted while connecting");
        }
    }

    static void send(SocketChannel ch, Selector sel, byte[] line, Deadline deadline) throws CallFailure {
        ByteBuffer out = ByteBuffer.wrap(line);
        try {
            SelectionKey key = ch.register(sel, SelectionKey.OP_WRITE);
            while (true) {
                ch.write(out);
                if (!out.hasRemaining()) {
                    key.interestOps(SelectionKey.OP_READ);
                    return;
                }
                if (deadline.passed()) {
                    throw unsent(out, "the daemon did not take the request within " + deadline.seconds() + " s");
                }
                sel.select(Math.max(1, deadline.remainingMillis()));
                sel.selectedKeys().clear();
            }
        } catch (CallFailure f) {
            throw f;
        } catch (IOException e) {
            throw unsent(out, "the connection failed while sending: " + e.getMessage());
        }
    }

    /** Nothing sent is certain to have changed nothing; a part sent is counted as sent, to stay on the safe side. */
    private static CallFailure unsent(ByteBuffer out, String message) {
        return new CallFailure(out.position() == 0 ? CallFailure.Stage.UNREACHABLE : CallFailure.Stage.NO_ANSWER,
                message);
    }

    private Map<String, Object> receive(SocketChannel ch, Selector sel, Deadline deadline) throws CallFailure {
        ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        try {
            while (true) {
                int n = ch.read(in);
                int nl = indexOfNewline(in);
                if (nl >= 0) return parse(new String(in.array(), 0, nl, StandardCharsets.UTF_8));
                if (n < 0) {
                    throw new CallFailure(CallFailure.Stage.NO_ANSWER, "the daemon closed the connection without an answer");
                }
                if (!in.hasRemaining()) {
                    if (in.capacity() >= MAX_ANSWER_BYTES) {
                        throw new CallFailure(CallFailure.Stage.NO_ANSWER, "the answer is larger than "
                                + MAX_ANSWER_BYTES + " bytes");
                    }
                    ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 2);
                    in.flip();
                    bigger.put(in);
                    in = bigger;
                    continue;
                }
                if (deadline.passed()) {
                    throw new CallFailure(CallFailure.Stage.NO_ANSWER, "no answer within " + deadline.seconds() + " s");
                }
                sel.select(Math.max(1, deadline.remainingMillis()));
                sel.selectedKeys().clear();
            }
        } catch (CallFailure f) {
            throw f;
        } catch (IOException e) {
            throw new CallFailure(CallFailure.Stage.NO_ANSWER, "the connection failed before an answer: " + e.getMessage());
        }
    }

    static int indexOfNewline(ByteBuffer b) {
        for (int i = 0; i < b.position(); i++) {
            if (b.get(i) == '\n') return i;
        }
        return -1;
    }

    static Map<String, Object> parse(String line) throws CallFailure {
        try {
            return Json.parseObject(line);
        } catch (JsonException e) {
            throw new CallFailure(CallFailure.Stage.NO_ANSWER, "the daemon's answer is not valid JSON: " + e.getMessage());
        }
    }

    /** Gets each line of a subscription after its answer; returns false to stop reading. */
    interface LineHandler {
        boolean line(Map<String, Object> event);
    }

    /**
     * A subscription ({@code watch}): sends {@code op}, waits for its answer until the deadline, then hands each
     * following line to {@code onLine} as it comes, with no deadline, until the daemon ends the stream. Returns the
     * answer; an error answer ends at once.
     */
    Map<String, Object> subscribe(String op, Map<String, Object> extra, Deadline deadline, LineHandler onLine)
            throws CallFailure {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("v", 1L);
        req.put("op", op);
        req.putAll(extra);
        byte[] line = (Json.write(req) + "\n").getBytes(StandardCharsets.UTF_8);
        try (SocketChannel ch = connect(deadline); Selector sel = Selector.open()) {
            send(ch, sel, line, deadline);
            ByteBuffer in = ByteBuffer.allocate(16 * 1024);
            Map<String, Object> answer = null;
            while (true) {
                int n = ch.read(in);
                int nl;
                while ((nl = indexOfNewline(in)) >= 0) {
                    Map<String, Object> m = parse(new String(in.array(), 0, nl, StandardCharsets.UTF_8));
                    in.flip();
                    in.position(nl + 1);
                    in.compact();
                    if (answer == null) {
                        answer = m;
                        if (!Boolean.TRUE.equals(answer.get("ok"))) return answer;
                    } else if (!onLine.line(m)) {
                        return answer;
                    }
                }
                if (n < 0) {
                    if (answer == null) {
                        throw new CallFailure(CallFailure.Stage.NO_ANSWER, "the daemon closed the connection without an answer");
                    }
                    return answer;
                }
                if (!in.hasRemaining()) {
                    throw new CallFailure(CallFailure.Stage.NO_ANSWER, "a line longer than " + in.capacity() + " bytes");
                }
                if (answer == null && deadline.passed()) {
                    throw new CallFailure(CallFailure.Stage.NO_ANSWER, "no answer within " + deadline.seconds() + " s");
                }
                sel.select(answer == null ? Math.max(1, deadline.remainingMillis()) : 0);
                sel.selectedKeys().clear();
            }
        } catch (CallFailure f) {
            throw f;
        } catch (IOException e) {
            throw new CallFailure(CallFailure.Stage.NO_ANSWER, "the connection failed: " + e.getMessage());
        }
    }
}

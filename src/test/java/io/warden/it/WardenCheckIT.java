package io.warden.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The image's health check client ({@code docker/healthcheck/warden-check.c}), built with the image's own gcc
 * flags, against answers the real daemon never gives: a stand-in daemon in this JVM (a scripted socket, not
 * warden) sends each answer, so what the client does with hostile or malformed text is seen byte for byte.
 * The verdicts against the real daemon are {@code ImageIT}'s.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WardenCheckIT {
    private static final Path SOURCE = Path.of("docker/healthcheck/warden-check.c").toAbsolutePath();
    private static Path binary;

    @TempDir
    Path tmp;

    @BeforeAll
    static void build() throws Exception {
        binary = Path.of("target/warden-check-it").toAbsolutePath();
        // the flags of docker/build-image.sh and the Dockerfile: a warning fails the build there, so here too
        S6Sandbox.Cli gcc = S6Sandbox.run("gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-std=c11", "-o",
                binary.toString(), SOURCE.toString());
        assertEquals(0, gcc.exit(), "gcc (docker/prepare-offline.sh installs it): " + gcc);
    }

    record Check(int exit, byte[] out, byte[] err) {
        String text() {
            return new String(out, StandardCharsets.UTF_8) + new String(err, StandardCharsets.UTF_8);
        }
    }

    /** Runs warden-check against a stand-in that answers the one request with {@code answer} and a newline. */
    private Check answered(String answer) throws Exception {
        return answered(answer.getBytes(StandardCharsets.UTF_8));
    }

    private Check answered(byte[] answer) throws Exception {
        Path sock = tmp.resolve("s" + System.nanoTime() + ".sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            Thread standIn = new Thread(() -> {
                try (SocketChannel c = server.accept()) {
                    ByteBuffer in = ByteBuffer.allocate(4096);
                    while (c.read(in) > 0 && in.get(in.position() - 1) != '\n') {
                        // the request is one line: read until its newline
                    }
                    ByteBuffer out = ByteBuffer.allocate(answer.length + 1).put(answer).put((byte) '\n').flip();
                    while (out.hasRemaining()) c.write(out);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            standIn.start();
            Check r = run(sock);
            standIn.join(10_000);
            return r;
        }
    }

    private static Check run(Path sock) throws Exception {
        Process p = new ProcessBuilder(binary.toString(), "--socket", sock.toString(), "--timeout-ms", "5000").start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "warden-check ends");
        return new Check(p.exitValue(), out, err);
    }

    /** No byte of a C0 control but the final newline, no DEL, no C1 (U+0080–U+009F as UTF-8, or a raw 8-bit byte). */
    private static void assertNoControl(byte[] b, String what) {
        for (int i = 0; i < b.length; i++) {
            int x = b[i] & 0xff;
            boolean lastNewline = i == b.length - 1 && x == '\n';
            boolean c1 = x == 0xc2 && i + 1 < b.length && (b[i + 1] & 0xff) >= 0x80 && (b[i + 1] & 0xff) <= 0x9f;
            assertFalse((x < 0x20 && !lastNewline) || x == 0x7f || c1 || (x >= 0x80 && x <= 0x9f && (i == 0
                    || (b[i - 1] & 0xff) < 0xc2)), what + ": control byte " + Integer.toHexString(x) + " at " + i
                    + " in " + new String(b, StandardCharsets.UTF_8));
        }
    }

    @Test
    void a_healthy_answer_is_healthy_and_strict_numbers_pass() throws Exception {
        Check ok = answered("{\"v\":1,\"ok\":true,\"result\":{\"healthy\":true,\"desired\":\"up\",\"observed\":\"up\","
                + "\"n\":[0,-0,12,-3.25,1e5,2E-3,-0.5e+10],\"s\":\"\\u00e9\\ud83d\\ude00 \\\"q\\\" \\/\",\"x\":{\"ok\":1}}}");
        assertEquals(0, ok.exit(), ok.text());
        assertEquals("healthy: desired up, observed up\n", new String(ok.out(), StandardCharsets.UTF_8));
        Check unhealthy = answered("{\"ok\":true,\"result\":{\"healthy\":false,\"desired\":\"up\",\"observed\":\"down\"}}");
        assertEquals(1, unhealthy.exit(), unhealthy.text());
        assertEquals("unhealthy: desired up, observed down\n", new String(unhealthy.err(), StandardCharsets.UTF_8));
    }

    /**
     * C1 controls raw (UTF-8 U+009B, CSI) and escaped, ESC, BEL, DEL, CR, NUL in the texts the client prints:
     * before the fix the C1 ones reached the terminal and the health log raw; now every one is written as a backslash, u and four hex digits.
     */
    @Test
    void every_control_character_printed_from_the_answer_is_escaped() throws Exception {
        Check unhealthy = answered("{\"ok\":true,\"result\":{\"healthy\":false,\"desired\":\"up\u009b2J\",\"observed\":"
                + "\"\\u009b31m\\u001b[2J\\u0007\u007f\\r\\u0000x\\u0085\"}}");
        assertEquals(1, unhealthy.exit(), unhealthy.text());
        assertNoControl(unhealthy.err(), "unhealthy");
        assertEquals("unhealthy: desired up\\u009b2J, observed \\u009b31m\\u001b[2J\\u0007\\u007f\\u000d\\u0000x\\u0085\n",
                new String(unhealthy.err(), StandardCharsets.UTF_8));

        Check error = answered("{\"ok\":false,\"error\":{\"code\":\"internal\",\"message\":\"boom\u0085\u009d0;x\\u0007\\n"
                + "forged\"}}");
        assertEquals(4, error.exit(), error.text());
        assertNoControl(error.err(), "error");
        assertEquals("warden: boom\\u0085\\u009d0;x\\u0007\\u000aforged\n", new String(error.err(), StandardCharsets.UTF_8));

        // a raw 8-bit C1 byte is not UTF-8: refused, never printed
        byte[] raw = "{\"ok\":true,\"result\":{\"healthy\":true,\"desired\":\"up?\"}}".getBytes(StandardCharsets.UTF_8);
        raw[raw.length - 4] = (byte) 0x9b;
        Check eight = answered(raw);
        assertEquals(4, eight.exit(), eight.text());
        assertNoControl(eight.err(), "8-bit");
        assertTrue(eight.text().contains("not UTF-8"), eight.text());
    }

    /** Before the fix these were read as healthy (exit 0): any run of "+-.eE0-9" passed for a number. */
    @Test
    void an_invalid_number_is_unhealthy_and_says_so() throws Exception {
        for (String n : List.of("01", "1.", ".5", "+1", "-", "1e", "1e+", "--1", "1.2.3", "0x10", "1.5e3.2", "-01",
                "00", "1ee2", "Infinity", "NaN")) {
            Check r = answered("{\"ok\":true,\"n\":" + n + ",\"result\":{\"healthy\":true,\"desired\":\"up\","
                    + "\"observed\":\"up\"}}");
            assertEquals(4, r.exit(), n + ": " + r.text());
            assertTrue(r.text().startsWith("unhealthy: the daemon's answer is not valid JSON ("), n + ": " + r.text());
            assertTrue(r.text().contains("an invalid number") || r.text().contains("unknown literal")
                    || r.text().contains("was expected"), n + ": " + r.text());
        }
    }

    /** Before the fix the last of two "healthy" (or "ok") members won: an answer that reads two ways is refused. */
    @Test
    void a_member_named_twice_is_unhealthy_and_says_so() throws Exception {
        for (String a : List.of(
                "{\"ok\":true,\"result\":{\"healthy\":false,\"healthy\":true}}",
                "{\"ok\":false,\"ok\":true,\"result\":{\"healthy\":true}}",
                "{\"ok\":true,\"result\":{\"healthy\":true},\"result\":{\"healthy\":false}}",
                "{\"ok\":true,\"\\u006fk\":false,\"result\":{\"healthy\":true}}",
                "{\"ok\":true,\"result\":{\"x\":{\"abc\":1},\"\":1,\"healthy\":true,\"\":2}}",
                "{\"ok\":true,\"result\":{\"healthy\":true,\"services\":[{\"a\":1,\"b\":{},\"a\":2}]}}")) {
            Check r = answered(a);
            assertEquals(4, r.exit(), a + ": " + r.text());
            assertTrue(r.text().contains("a member named twice in one object"), a + ": " + r.text());
        }
    }

    @Test
    void other_malformed_answers_are_unhealthy() throws Exception {
        for (String a : List.of(
                "{\"ok\":true,\"result\":{\"healthy\":true,\"desired\":\"a\tb\"}}",
                "{\"ok\":true,\"result\":{\"healthy\":true,\"desired\":\"\\x41\"}}",
                "{\"ok\":true,\"result\":{\"healthy\":true,\"desired\":\"\\ud800\"}}",
                "{\"ok\":true,\"result\":{\"healthy\":true,\"desired\":\"\\udc00x\"}}",
                "{\"ok\":true,\"result\":{\"healthy\":true}} x",
                "{\"ok\":true,\"result\":{\"healthy\":true},}",
                "{\"ok\":true,\"result\":{\"healthy\":tru}}")) {
            Check r = answered(a);
            assertEquals(4, r.exit(), a + ": " + r.text());
            assertTrue(r.text().startsWith("unhealthy: the daemon's answer is not valid JSON ("), a + ": " + r.text());
            assertNoControl(r.err(), a);
        }
    }

    /**
     * Another user's socket at the path (nobody's fake daemon saying "healthy"): before the fix its verdict was
     * taken (exit 0); now warden-check asks it nothing and is unhealthy, naming the uid.
     */
    @Test
    void a_socket_of_another_user_is_not_warden() throws Exception {
        Path folder = Files.createDirectory(tmp.resolve("nobodys"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setAttribute(folder, "unix:uid", 65534);
        Path script = tmp.resolve("impostor.pl");
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("it/impostor.pl")) {
            Files.copy(in, script);
        }
        Path heard = folder.resolve("heard.log");
        Process impostor = new ProcessBuilder("runuser", "-u", "nobody", "--", "perl", script.toString(),
                folder.resolve("warden.sock").toString(), heard.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(impostor.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("listening", out.readLine());
            Check r = run(folder.resolve("warden.sock"));
            assertEquals(4, r.exit(), r.text());
            assertTrue(r.text().contains("runs as uid 65534, not as root or as you: it is not warden"), r.text());
            assertFalse(Files.exists(heard), "nothing was sent");
        } finally {
            impostor.destroyForcibly();
            impostor.waitFor(10, TimeUnit.SECONDS);
        }
    }
}

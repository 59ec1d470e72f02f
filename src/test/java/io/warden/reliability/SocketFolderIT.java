package io.warden.reliability;

import io.warden.it.S6Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The socket's folder where another local user ({@code nobody}) can create it first, as in a world-writable
 * {@code /run}: warden uses only a folder of its own, and the command line believes only a daemon of root's.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SocketFolderIT {
    private static final int NOBODY = 65534;

    @TempDir
    Path tmp;
    S6Sandbox box;
    Process impostor;

    @AfterEach
    void tearDown() throws Exception {
        if (impostor != null) {
            impostor.descendants().forEach(ProcessHandle::destroyForcibly);
            impostor.destroyForcibly();
            impostor.waitFor(10, TimeUnit.SECONDS);
        }
        if (box != null) box.close();
    }

    /**
     * nobody made warden's socket folder first and listens on a socket of their own there. Before the fix warden
     * took that socket for another warden and refused to start (exit 6); now the folder is moved aside untouched,
     * warden makes its own (root, 0755) and serves.
     */
    @Test
    void anotherUsersFolderIsMovedAsideAndWardenServes() throws Exception {
        box = new S6Sandbox(tmp);
        Path folder = box.socket().getParent();
        Path heard = nobodysFolderWithImpostor(folder);

        box.boot();
        long pid = box.awaitGatewayUp();
        assertEquals(0, Files.getAttribute(folder, "unix:uid", LinkOption.NOFOLLOW_LINKS), "warden's own folder");
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder, LinkOption.NOFOLLOW_LINKS)));
        List<Path> aside = siblingsNamed(folder, "warden.untrusted-");
        assertEquals(1, aside.size(), "nobody's folder is kept aside: " + aside);
        assertTrue(Files.exists(aside.get(0).resolve("warden.sock"), LinkOption.NOFOLLOW_LINKS), "untouched");
        assertTrue(box.log().contains("belonged to uid " + NOBODY), box.log());

        S6Sandbox.Cli stop = box.cli("stop", "--reason", "after the impostor");
        assertEquals(0, stop.exit(), stop.toString());
        assertEquals("down", box.status().get("desired"));
        assertTrue(pid > 0);
        assertEquals("", Files.readString(aside.get(0).resolve(heard.getFileName())), "the impostor heard nothing");
    }

    /** A folder of root's that every user may write is not warden's to use: refused, exit 7, the log says why. */
    @Test
    void aFolderEveryUserMayWriteIsRefused() throws Exception {
        box = new S6Sandbox(tmp);
        Path folder = Files.createDirectories(box.socket().getParent());
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));
        box.startSupervisor();
        Process w = box.spawnWarden();
        assertTrue(w.waitFor(60, TimeUnit.SECONDS), "warden refuses at once");
        assertEquals(7, w.exitValue(), box.log());
        assertTrue(box.log().contains("may be written by its group or by every user (mode 0777)"), box.log());
        assertFalse(Files.exists(box.socket(), LinkOption.NOFOLLOW_LINKS), "no socket in a folder others may write");
    }

    /** A folder above the socket's that belongs to another user (who could rename warden's away): refused. */
    @Test
    void aFolderAboveOwnedByAnotherUserIsRefused() throws Exception {
        box = new S6Sandbox(tmp);
        Path above = Files.createDirectories(box.socket().getParent().getParent());
        Files.setAttribute(above, "unix:uid", NOBODY);
        box.startSupervisor();
        Process w = box.spawnWarden();
        assertTrue(w.waitFor(60, TimeUnit.SECONDS), "warden refuses at once");
        assertEquals(7, w.exitValue(), box.log());
        assertTrue(box.log().contains(above + " (above the socket folder") && box.log().contains("uid " + NOBODY),
                box.log());
    }

    /**
     * No warden runs; nobody's fake daemon answers on warden's socket path. Before the fix {@code warden stop}
     * sent its request and reported the impostor's "ok"; now it asks nothing, says who answers, exits 4.
     */
    @Test
    void theCommandLineDoesNotBelieveAnotherUsersSocket() throws Exception {
        box = new S6Sandbox(tmp);
        Path heard = nobodysFolderWithImpostor(box.socket().getParent());
        for (String[] cmd : List.of(new String[]{"stop", "--timeout", "5"}, new String[]{"check"})) {
            S6Sandbox.Cli r = box.cli(cmd);
            assertEquals(4, r.exit(), r.toString());
            assertTrue(r.err().contains("runs as user nobody, not as root or as you: it is not warden; nothing was sent"),
                    r.toString());
        }
        S6Sandbox.Cli status = box.cli("status");
        assertTrue(status.out().contains("not warden") || status.err().contains("not warden"), status.toString());
        assertEquals("", Files.readString(heard), "no request reached the impostor");
        // nobody's own command line may talk to nobody's socket: the user cannot be fooled by themself
        S6Sandbox.Cli own = box.cliAs("nobody", "check");
        assertFalse(own.err().contains("not warden"), own.toString());
    }

    /**
     * warden cannot bind its socket (its folder is a file) and s6 retries it: before the fix each try wrote a boot
     * record to the journal and a run record the next boot read as an unclean end, so a later clean boot reported
     * the services' last stop as {@code unclean}. Now a warden that cannot serve writes nothing, and the boot after
     * the repair finds the last real stop as it was recorded.
     */
    @Test
    void aWardenThatCannotServeWritesNothingAndTheLastStopStaysClean() throws Exception {
        box = new S6Sandbox(tmp).boot();
        box.awaitGatewayUp();
        S6Sandbox.signal(box.warden().pid(), "TERM");
        S6Sandbox.waitGone(box.warden());
        assertEquals(0, box.warden().exitValue(), box.log());
        Path journal = box.stateDir().resolve("journal.jsonl");
        Path run = box.stateDir().resolve("run.json");
        byte[] journalBefore = Files.readAllBytes(journal);
        byte[] runBefore = Files.readAllBytes(run);

        Path folder = box.socket().getParent();
        try (Stream<Path> s = Files.list(folder)) {
            for (Path p : s.toList()) Files.delete(p);
        }
        Files.delete(folder);
        Files.writeString(folder, "");
        String log = "";
        for (int i = 0; i < 3; i++) {
            Process w = box.spawnWarden();
            assertTrue(w.waitFor(60, TimeUnit.SECONDS), "a warden that cannot bind ends");
            assertEquals(7, w.exitValue(), box.log());
            log = box.log();
        }
        assertEquals(new String(journalBefore, StandardCharsets.UTF_8), Files.readString(journal),
                "three failed tries journaled nothing");
        assertEquals(new String(runBefore, StandardCharsets.UTF_8), Files.readString(run),
                "three failed tries left the run record of the last real run");
        assertTrue(log.contains("the socket folder " + folder + " is not a directory (a regular file)"), log);

        Files.delete(folder);
        box.startWarden();
        box.awaitGatewayUp();
        assertFalse(box.log().contains("ended without a record"), box.log());
        assertFalse(Files.readString(journal).contains("warden-unclean-end"), "no unclean end in the journal");
        assertTrue(S6Sandbox.lastShutdownIs(box.status(), "signal"), "the last stop stays warden's SIGTERM: "
                + box.status());
    }

    /** A folder of nobody's at {@code folder} with nobody's fake daemon listening where warden's socket goes. */
    private Path nobodysFolderWithImpostor(Path folder) throws IOException, InterruptedException {
        Files.createDirectories(folder.getParent());
        // the folder above is writable by every user, as a world-writable /run (an emptyDir's 0777)
        Files.setPosixFilePermissions(folder.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.createDirectory(folder);
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setAttribute(folder, "unix:uid", NOBODY);
        Path heard = folder.resolve("heard.log");
        Path script = tmp.resolve("impostor.pl");
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("it/impostor.pl")) {
            Files.copy(in, script);
        }
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        impostor = new ProcessBuilder("runuser", "-u", "nobody", "--", "perl", script.toString(),
                folder.resolve("warden.sock").toString(), heard.toString()).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(impostor.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("listening", out.readLine(), "the impostor binds warden's socket path");
        Files.writeString(heard, "");
        Files.setAttribute(heard, "unix:uid", NOBODY);
        return heard;
    }

    private static List<Path> siblingsNamed(Path p, String prefix) throws IOException {
        try (Stream<Path> s = Files.list(p.getParent())) {
            return s.filter(x -> x.getFileName().toString().startsWith(prefix)).toList();
        }
    }
}

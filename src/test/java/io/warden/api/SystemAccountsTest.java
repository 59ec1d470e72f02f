package io.warden.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The user and group databases through the real {@code getent} (the host's NSS), and through stand-in programs for
 * what the host cannot show on demand: a group with members, a name service that hangs, lookups counted.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SystemAccountsTest {
    @TempDir
    Path tmp;
    final AtomicLong nanos = new AtomicLong(1_000);

    /** A program standing in for getent: logs each call's arguments, then runs {@code body}. */
    private String program(String body) throws IOException {
        Path p = tmp.resolve("getent-" + Math.abs(body.hashCode()));
        Files.writeString(p, "#!/bin/sh\necho \"$*\" >> " + tmp.resolve("calls") + "\n" + body + "\n");
        assertTrue(p.toFile().setExecutable(true));
        return p.toString();
    }

    private List<String> calls() throws IOException {
        Path f = tmp.resolve("calls");
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }

    @Test
    void theRealGetentAnswersFromTheSystemsDatabases() throws IOException {
        Getent g = new Getent("getent", 2_000);
        String[] nobody = g.lookup("passwd", "nobody");
        assertEquals("nobody", nobody[0]);
        assertEquals("65534", nobody[2]);
        assertEquals("0", g.lookup("group", "root")[2]);
        assertNull(g.lookup("passwd", "no-such-user-here"), "getent's exit 2: no such entry");
        // a key that looks like an option is still a key
        assertNull(g.lookup("group", "--help"));
        SystemAccounts real = SystemAccounts.system();
        assertEquals(65534, real.uidOf("nobody"));
        assertEquals(0, real.uidOf("root"));
        IOException e = assertThrows(IOException.class, () -> real.uidOf("no-such-user-here"));
        assertTrue(e.getMessage().contains("no-such-user-here"), e.getMessage());
        assertFalse(real.lists("root", "nobody"));
    }

    @Test
    void membersAreReadFromTheGroupEntryAndAskedOncePerPeriod() throws IOException {
        String fake = program("echo 'gwadmin:x:1500:alice,nobody,bob'");
        SystemAccounts acc = new SystemAccounts(new Getent(fake, 2_000), nanos::get);
        assertTrue(acc.lists("gwadmin", "nobody"));
        assertTrue(acc.lists("gwadmin", "alice"));
        assertFalse(acc.lists("gwadmin", "nob"), "whole names only");
        assertFalse(acc.lists("gwadmin", "mallory"));
        assertEquals(List.of("group -- gwadmin"), calls(), "one lookup serves every connection of the period");
        nanos.addAndGet(SystemAccounts.FRESH_NANOS);
        assertTrue(acc.lists("gwadmin", "bob"));
        assertEquals(2, calls().size(), "asked again once the answer is old");
    }

    @Test
    void aGroupWithoutMembersOrWithoutAnEntryListsNobody() throws IOException {
        SystemAccounts empty = new SystemAccounts(new Getent(program("echo 'gwadmin:x:1500:'"), 2_000), nanos::get);
        assertFalse(empty.lists("gwadmin", ""));
        assertFalse(empty.lists("gwadmin", "nobody"));
        SystemAccounts none = new SystemAccounts(new Getent(program("exit 2"), 2_000), nanos::get);
        assertFalse(none.lists("gwadmin", "nobody"));
    }

    @Test
    void aNameServiceThatHangsIsCutOffAndCountsAsNoMembership() throws IOException {
        Getent hanging = new Getent(program("exec sleep 60"), 300);
        IOException e = assertThrows(IOException.class, () -> hanging.lookup("group", "gwadmin"));
        assertTrue(e.getMessage().contains("did not answer within 300 ms"), e.getMessage());
        SystemAccounts acc = new SystemAccounts(hanging, nanos::get);
        assertFalse(acc.lists("gwadmin", "nobody"), "fail closed");
        assertFalse(acc.lists("gwadmin", "nobody"));
        IOException uid = assertThrows(IOException.class, () -> acc.uidOf("nobody"));
        assertTrue(uid.getMessage().contains("did not answer"), uid.getMessage());
        assertEquals(3, calls().size(), "a failed answer is kept for the period too: " + calls());
    }

    @Test
    void anAnswerLargerThanTheBoundIsRefusedNotBuffered() throws IOException {
        Getent huge = new Getent(program("head -c " + (4 * Getent.MAX_ANSWER) + " /dev/zero | tr '\\0' a"), 5_000);
        IOException e = assertThrows(IOException.class, () -> huge.lookup("group", "big"));
        assertTrue(e.getMessage().contains("more than"), e.getMessage());
        String[] fields = new Getent(program("printf 'a:b:c\\nsecond:line\\n'"), 2_000).lookup("passwd", "a");
        assertArrayEquals(new String[] {"a", "b", "c"}, fields, "the first line is the entry");
    }
}

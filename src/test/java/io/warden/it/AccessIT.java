package io.warden.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.warden.it.S6Sandbox.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Peer credentials: any local user reads, only root or the control group changes intent. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AccessIT {
    @TempDir
    Path tmp;
    S6Sandbox box;

    @AfterEach
    void tearDown() throws Exception {
        if (box != null) box.close();
    }

    @Test
    void unprivilegedUserReadsButMayNotStop() throws Exception {
        box = new S6Sandbox(tmp).boot();
        long pid = box.awaitGatewayUp();
        S6Sandbox.Cli status = box.cliAs("nobody", "status");
        assertEquals(0, status.exit(), status.toString());
        assertEquals(0, box.cliAs("nobody", "check").exit());

        S6Sandbox.Cli stop = box.cliAs("nobody", "stop");
        assertEquals(5, stop.exit(), stop.toString());
        assertTrue(stop.err().contains("uid 65534") && stop.err().contains("stop"), stop.err());

        Map<String, Object> s = box.status();
        assertEquals("up", s.get("desired"));
        assertEquals(pid, s.get("pid"), "the refused stop touched nothing");
        assertFalse(box.cli("history", "--json").out().contains("\"op\":\"stop\""));
    }

    @Test
    void controlGroupMemberMayStopAndIsRecorded() throws Exception {
        box = new S6Sandbox(tmp);
        box.env("WARDEN_CONTROL_GROUP", "nogroup").boot();
        box.awaitGatewayUp();
        S6Sandbox.Cli stop = box.cliAs("nobody", "stop", "--reason", "on call");
        assertEquals(0, stop.exit(), stop.toString());
        Map<String, Object> intent = object(box.status(), "intent");
        assertEquals("down", intent.get("state"));
        assertEquals(65534L, intent.get("uid"));
        assertTrue(intent.get("pid") instanceof Long, "the requester's pid is recorded: " + intent);
    }

    /**
     * A supplementary member, as the system's group database lists it (a real group made for the test, read back
     * through NSS with getent): allowed, and recorded under its uid, also looked up through NSS.
     */
    @Test
    void supplementaryMemberOfTheControlGroupMayStop() throws Exception {
        String group = "wdn-it-" + ProcessHandle.current().pid();
        // CI runs as root on Debian, where groupadd is part of the base system: no environment to skip for
        assertEquals(0, run("groupadd", group), "groupadd (as root) makes the control group");
        try {
            assertEquals(0, run("gpasswd", "-a", "nobody", group));
            box = new S6Sandbox(tmp);
            box.env("WARDEN_CONTROL_GROUP", group).boot();
            box.awaitGatewayUp();
            S6Sandbox.Cli stop = box.cliAs("nobody", "stop", "--reason", "on call");
            assertEquals(0, stop.exit(), stop.toString());
            Map<String, Object> intent = object(box.status(), "intent");
            assertEquals("down", intent.get("state"));
            assertEquals(65534L, intent.get("uid"));
        } finally {
            run("groupdel", group);
        }
    }

    private static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " hung");
        }
        return p.exitValue();
    }
}

package io.warden.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The socket protocol against the real daemon, spoken by a raw client: bad input never sticks or kills it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ProtocolIT {
    S6Sandbox box;
    Path socket;

    @BeforeAll
    void boot() throws Exception {
        box = new S6Sandbox(Files.createTempDirectory("warden-protocol"));
        box.boot();
        box.awaitGatewayUp();
        socket = box.socket();
    }

    @AfterAll
    void shutdown() throws Exception {
        assertTrue(box.warden().isAlive(), "the daemon survived every test of this class");
        box.close();
    }

    private Map<String, Object> statusOnNewConnection() throws Exception {
        try (RawClient c = new RawClient(socket)) {
            return c.send("{\"v\":1,\"op\":\"status\"}\n").answer();
        }
    }

    @Test
    void statusAnswersWithTheContractKeys() throws Exception {
        Map<String, Object> a = statusOnNewConnection();
        assertEquals(1L, a.get("v"));
        assertEquals(true, a.get("ok"));
        Map<String, Object> r = S6Sandbox.object(a, "result");
        for (String k : List.of("service", "desired", "observed", "pid", "intent", "lastShutdown", "supervisor")) {
            assertTrue(r.containsKey(k), "missing " + k + " in " + r);
        }
    }

    @Test
    void garbageGetsAnErrorAndTheConnectionStaysUsable() throws Exception {
        try (RawClient c = new RawClient(socket)) {
            Map<String, Object> bad = c.send("this is not json\n").answer();
            assertEquals(false, bad.get("ok"));
            assertEquals("bad-request", RawClient.errorCode(bad));
            Map<String, Object> good = c.send("{\"op\":\"status\"}\n").answer();
            assertEquals(true, good.get("ok"));
        }
    }

    @Test
    void binaryGarbageAndWrongShapesGetErrors() throws Exception {
        byte[] junk = new byte[300];
        new java.util.Random(7).nextBytes(junk);
        for (int i = 0; i < junk.length; i++) if (junk[i] == '\n') junk[i] = 'x';
        try (RawClient c = new RawClient(socket)) {
            c.send(junk).send("\n");
            assertEquals("bad-request", RawClient.errorCode(c.answer()));
            assertEquals("bad-request", RawClient.errorCode(c.send("[1,2,3]\n").answer()));
            assertEquals("bad-request", RawClient.errorCode(c.send("{\"op\":42}\n").answer()));
            assertEquals("unknown-op", RawClient.errorCode(c.send("{\"op\":\"reboot\"}\n").answer()));
            assertEquals("unsupported-version", RawClient.errorCode(c.send("{\"v\":99,\"op\":\"status\"}\n").answer()));
        }
    }

    @Test
    void oversizedRequestIsRefusedAndClosed() throws Exception {
        try (RawClient c = new RawClient(socket)) {
            c.send("{\"op\":\"status\",\"pad\":\"" + "x".repeat(10_000) + "\"}\n");
            Map<String, Object> a = c.answer();
            assertEquals("too-large", RawClient.errorCode(a));
            assertTrue(c.closedByPeer());
        }
        assertEquals(true, statusOnNewConnection().get("ok"));
    }

    @Test
    void halfClosedRequestWithoutNewlineIsAnswered() throws Exception {
        try (RawClient c = new RawClient(socket)) {
            c.send("{\"op\":\"check\"}");
            c.halfClose();
            assertEquals(true, c.answer().get("ok"));
            assertTrue(c.closedByPeer());
        }
    }

    @Test
    void pipelinedRequestsGetOneAnswerEachInOrder() throws Exception {
        try (RawClient c = new RawClient(socket)) {
            c.send("{\"op\":\"check\"}\n{\"op\":\"nope\"}\n{\"op\":\"status\"}\n");
            assertTrue(S6Sandbox.object(c.answer(), "result").containsKey("healthy"));
            assertEquals("unknown-op", RawClient.errorCode(c.answer()));
            assertTrue(S6Sandbox.object(c.answer(), "result").containsKey("observed"));
        }
    }

    @Test
    void clientThatDisconnectsMidRequestHarmsNothing() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (RawClient c = new RawClient(socket)) {
                c.send("{\"op\":\"sta");
            }
        }
        assertEquals(true, statusOnNewConnection().get("ok"));
    }

    @Test
    void silentClientsNeverDelayOthersAndAreTimedOut() throws Exception {
        List<RawClient> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) idle.add(new RawClient(socket));
            long t0 = System.nanoTime();
            assertEquals(true, statusOnNewConnection().get("ok"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 4000, "status took " + ms + " ms with 100 idle clients connected");
            Map<String, Object> timeout = idle.get(0).answer();
            assertEquals("timeout", RawClient.errorCode(timeout));
            assertTrue(idle.get(0).closedByPeer());
        } finally {
            for (RawClient c : idle) c.close();
        }
    }

    @Test
    void clientThatSendsWithoutReadingIsCutOffNotBuffered() throws Exception {
        try (RawClient c = new RawClient(socket)) {
            c.send("{\"op\":\"status\"}\n".repeat(4000)); // answers far beyond any socket buffer
            // reading nothing until the daemon has given up on this client (its idle time is 5 s)
            assertTrue(c.awaitClosedByDaemon(Duration.ofSeconds(20)), "the daemon kept a client that does not read");
            int answers = 0;
            boolean ended;
            try {
                while (c.readLine(Duration.ofSeconds(10)) != null) answers++;
                ended = true;
            } catch (RawClient.NoAnswerInTime hung) {
                ended = false; // open and silent: the daemon neither answers nor closes
            } catch (java.io.IOException reset) {
                ended = true; // closed with requests still unread on the daemon's side: a reset, also an end
            }
            assertTrue(ended, "the connection ended");
            assertTrue(answers < 4000, "the daemon stopped answering a client that did not read: " + answers);
        }
        assertEquals(true, statusOnNewConnection().get("ok"));
    }

    @Test
    void manyConcurrentClientsAllGetAnswers() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Callable<Map<String, Object>>> calls = new ArrayList<>();
            for (int i = 0; i < 500; i++) calls.add(this::statusOnNewConnection);
            int ok = 0;
            for (Future<Map<String, Object>> f : pool.invokeAll(calls)) {
                Map<String, Object> a = f.get();
                assertNotNull(a);
                if (Boolean.TRUE.equals(a.get("ok"))) ok++;
            }
            assertEquals(500, ok);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void historyReturnsTheJournalNewestLast() throws Exception {
        try (RawClient c = new RawClient(socket)) {
            Map<String, Object> a = c.send("{\"op\":\"history\",\"n\":2}\n").answer();
            @SuppressWarnings("unchecked")
            List<Object> records = (List<Object>) S6Sandbox.object(a, "result").get("records");
            assertTrue(records.size() <= 2 && !records.isEmpty(), String.valueOf(records));
        }
    }

    @Test
    void aLineOfOnlyNulBytesGetsAPromptBadRequest() throws Exception {
        try (RawClient c = new RawClient(socket)) {
            c.send(new byte[] {0, 0, 0, 0, 0, 0, '\n'});
            // well within the 5 s idle time, which would otherwise answer "timeout"
            Map<String, Object> a = RawClient.parseAnswer(c.readLine(Duration.ofSeconds(2)));
            assertEquals("bad-request", RawClient.errorCode(a), a.toString());
            assertEquals(true, c.send("{\"op\":\"check\"}\n").answer().get("ok"), "still usable");
        }
    }

    @Test
    void duplicateMembersAreRefusedSoAStatusNeverBecomesAStop() throws Exception {
        try (RawClient c = new RawClient(socket)) {
            Map<String, Object> a = c.send("{\"op\":\"status\",\"op\":\"stop\"}\n").answer();
            assertEquals("bad-request", RawClient.errorCode(a), a.toString());
            assertTrue(String.valueOf(S6Sandbox.object(a, "error").get("message")).contains("duplicate"), a.toString());
        }
        Map<String, Object> s = RawClient.status(socket);
        assertEquals("up", s.get("desired"), "nothing was stopped");
    }

    @Test
    void versionOnePointZeroIsVersionOne() throws Exception {
        try (RawClient c = new RawClient(socket)) {
            assertEquals(true, c.send("{\"v\":1.0,\"op\":\"check\"}\n").answer().get("ok"));
            assertEquals("unsupported-version",
                    RawClient.errorCode(c.send("{\"v\":1.5,\"op\":\"check\"}\n").answer()));
        }
    }

    @Test
    void aReasonWithControlCharactersIsRefusedAndChangesNothing() throws Exception {
        Map<String, Object> before = S6Sandbox.object(RawClient.status(socket), "intent");
        for (String reason : new String[] {"\\u001b[2J\\u001b[Hfake", "two\\nlines", "bell\\u0007", "nul\\u0000"}) {
            try (RawClient c = new RawClient(socket)) {
                Map<String, Object> a = c.send("{\"op\":\"stop\",\"reason\":\"" + reason + "\"}\n").answer();
                assertEquals("bad-request", RawClient.errorCode(a), a.toString());
                assertTrue(String.valueOf(S6Sandbox.object(a, "error").get("message")).contains("control"), a.toString());
            }
        }
        Map<String, Object> s = RawClient.status(socket);
        assertEquals("up", s.get("desired"));
        assertEquals(before, S6Sandbox.object(s, "intent"), "the intent was not touched");
    }

    @Test
    void historyIsNewestLastAndCappedAtItsMaximum() throws Exception {
        try (RawClient c = new RawClient(socket)) {
            Map<String, Object> all = c.send("{\"op\":\"history\",\"n\":999999999}\n").answer();
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> records = (List<Map<String, Object>>) S6Sandbox.object(all, "result").get("records");
            assertTrue(!records.isEmpty() && records.size() <= io.warden.api.Protocol.MAX_HISTORY, "" + records.size());
            for (int i = 1; i < records.size(); i++) {
                String prev = (String) records.get(i - 1).get("at");
                String next = (String) records.get(i).get("at");
                assertTrue(prev.compareTo(next) <= 0, "oldest first: " + prev + " then " + next);
            }
            Map<String, Object> two = c.send("{\"op\":\"history\",\"n\":2}\n").answer();
            @SuppressWarnings("unchecked")
            List<Object> last = (List<Object>) S6Sandbox.object(two, "result").get("records");
            assertEquals(records.subList(records.size() - Math.min(2, records.size()), records.size()), last,
                    "n=2 is the newest two");
        }
    }
}

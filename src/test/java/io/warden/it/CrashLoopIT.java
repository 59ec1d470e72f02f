package io.warden.it;

import org.junit.jupiter.api.Timeout;
import java.util.concurrent.TimeUnit;
import io.warden.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.warden.it.S6Sandbox.object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A gateway that dies at once, over and over: held restarts that grow to a cap, intent untouched. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CrashLoopIT {
    @TempDir
    Path tmp;
    S6Sandbox box;

    @AfterEach
    void tearDown() throws Exception {
        if (box != null) box.close();
    }

    /** The hold of every back-off in the journal, oldest first. */
    @SuppressWarnings("unchecked")
    private List<Long> holds() {
        try {
            List<Object> history = (List<Object>) Json.parse(box.cli("history", "--json", "-n", "10000").out().trim());
            return history.stream().map(r -> (Map<String, Object>) r)
                    .filter(r -> "backoff".equals(r.get("event"))).map(r -> (Long) r.get("holdMillis")).toList();
        } catch (Exception e) {
            // a history that could not be read this time: the caller polls again
            return List.of();
        }
    }

    @Test
    void crashLoopBacksOffAndTheNextStartTriesAgain() throws Exception {
        box = new S6Sandbox(tmp);
        box.env("WARDEN_SIGNAL_WINDOW", "0.2").env("WARDEN_BACKOFF_MAX", "4");
        Files.writeString(tmp.resolve("template/gateway/exit-code"), "1\n");
        box.boot();

        box.awaitStatus("backoff observed", Duration.ofSeconds(30), st -> "backoff".equals(st.get("observed")));
        Map<String, Object> s = box.status();
        assertEquals("up", s.get("desired"), "a crash loop never changes intent");
        assertEquals("default", object(s, "intent").get("source"));
        assertEquals("crash", object(s, "lastShutdown").get("cause"));
        assertEquals(1, box.cli("check").exit(), "a gateway in back-off is not healthy");

        List<List<Long>> seen = new ArrayList<>(List.of(List.of()));
        S6Sandbox.await("the cap held twice", Duration.ofSeconds(40), () -> {
            seen.set(0, holds());
            return seen.get(0).stream().filter(h -> h == 4000L).count() >= 2;
        });
        List<Long> holds = seen.get(0);
        System.out.println("crash loop: holds " + holds);
        assertTrue(holds.size() >= 3, "several held restarts: " + holds);
        for (int i = 1; i < holds.size(); i++) {
            assertTrue(holds.get(i) >= holds.get(i - 1), "holds never shrink: " + holds);
            assertTrue(holds.get(i) <= 4000, "holds are capped at WARDEN_BACKOFF_MAX: " + holds);
        }
        assertEquals(4000L, holds.get(holds.size() - 1), "the cap is reached: " + holds);

        // a warden restarted during a hold does not leave the gateway down: its boot tries again at once
        box.warden().destroyForcibly().waitFor();
        box.startWarden();
        // the journal, oldest first: after the new boot record the gateway ran again (an up or an exit)
        S6Sandbox.await("a fresh attempt after warden's restart", Duration.ofSeconds(15), this::ranAfterLastBoot);
        assertEquals("up", box.status().get("desired"));

        // fixed configuration: an explicit start clears the back-off and brings the gateway up at once
        Files.delete(box.serviceDir().resolve("exit-code"));
        S6Sandbox.Cli start = box.cli("start", "--timeout", "10");
        assertEquals(0, start.exit(), start.toString());
        assertEquals("up", box.status().get("observed"));
    }

    @SuppressWarnings("unchecked")
    private boolean ranAfterLastBoot() {
        try {
            List<Object> h = (List<Object>) io.warden.json.Json.parse(box.cli("history", "--json", "-n", "1000").out().trim());
            int boot = -1;
            for (int i = 0; i < h.size(); i++) {
                if ("boot".equals(((Map<String, Object>) h.get(i)).get("event"))) boot = i;
            }
            for (int i = boot + 1; boot >= 0 && i < h.size(); i++) {
                Object e = ((Map<String, Object>) h.get(i)).get("event");
                if ("gateway-up".equals(e) || "gateway-exit".equals(e)) return true;
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }
}

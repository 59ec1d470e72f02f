package io.warden.e2e;

import io.warden.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Soak (issue "Reliability", case 8): many container recreates of the real offline image under the real compose
 * file, with explicit stops and starts in between, so the intent alternates and stays through several recreates.
 *
 * <p>Cycle {@code i} (1-based): {@code i % 4 == 1} runs {@code warden stop} inside, {@code i % 4 == 3} runs
 * {@code warden start}; then {@code up -d --force-recreate}; then the gateway must settle on the intent. The intent
 * is thus down for cycles 1, 2, 5, 6, ... and up for 3, 4, 7, 8, ...; every stop is made with the gateway up and
 * every start with it down. Each cycle checks, on the new container:
 * <ul>
 *   <li>a container id never seen before;</li>
 *   <li>{@code desired} and {@code observed} equal the intent (up with a pid, down without), healthy, no drift,
 *       nothing degraded; for down, still down a second later;</li>
 *   <li>the intent record is exactly the one the last explicit command wrote (a recreate never rewrites it);</li>
 *   <li>{@code lastShutdown}: with intent up, {@code signal}/{@code SIGTERM} written after the previous cycle (the
 *       recreate ended the gateway's run); with intent down, exactly the {@code user} record of the last
 *       {@code warden stop} (a container stop with the gateway down leaves it as it was);</li>
 *   <li>the journal since the previous cycle: exactly one boot; the old warden's {@code warden-stop} has cause
 *       {@code signal} iff the intent was up; after the boot no end of the gateway's run, and at most one
 *       {@code gateway-up} (up: none when the boot adopted an early-started gateway) or none at all (down).</li>
 * </ul>
 * Every mismatch is a "wrong decision"; all are collected and the figures printed before the final assertion.
 *
 * <p>Cycles: 200 with {@code -Dwarden.soak=true}, otherwise 20 (CI). Own compose project {@code warden-e2e-soak},
 * {@code down -v} at the start and at the end.
 */
@ExtendWith(ImageFixture.class)
class SoakIT {
    /** A bound against a hang, not a timing goal: it also covers the 200 cycles of -Dwarden.soak=true. */
    private static final long TIMEOUT_MINUTES = 45;
    private static final Duration SETTLE = Duration.ofSeconds(30);
    /** After this many failed cycles in a row the soak stops early (the figures still print). */
    private static final int MAX_CONSECUTIVE_BROKEN = 5;

    private final List<String> mismatches = new ArrayList<>();
    private final Set<Integer> brokenCycles = new TreeSet<>();
    private int logsDumped;

    @Test
    @Timeout(value = TIMEOUT_MINUTES, unit = TimeUnit.MINUTES)
    void recreatesWithAlternatingIntentMakeNoWrongDecision() {
        boolean soak = "true".equals(System.getProperty("warden.soak"));
        int cycles = soak ? 200 : 20;
        long classStart = System.nanoTime();
        // down -v of any leftover first; a 500 ms stop window: this tests decisions, not the stop's timing
        ComposeProject p = ImageFixture.images().project("soak")
                .withOverride(ImageFixture.Images.override("e2e/fast-stop.yaml"));
        List<Long> settleMs = new ArrayList<>();
        List<Long> composeMs = new ArrayList<>();
        int done = 0;
        try {
            p.up();
            Map<String, Object> s = p.awaitObserved("up");
            check(0, "fresh volume: desired up", "up", s.get("desired"));
            check(0, "fresh volume: intent source default", "default", intent(s).get("source"));
            check(0, "fresh volume: no lastShutdown", null, s.get("lastShutdown"));

            String intent = "up";
            Map<String, Object> expectedIntent = intent(s);
            Map<String, Object> userStop = null;          // lastShutdown written by the last warden stop
            Instant previousCycleEnd = Instant.now();
            Set<String> ids = new HashSet<>();
            ids.add(p.containerId());
            int brokenInARow = 0;

            for (int i = 1; i <= cycles; i++) {
                int before = mismatches.size();
                try {
                    // 1. the explicit command, if any
                    if (i % 4 == 1 || i % 4 == 3) {
                        String op = i % 4 == 1 ? "stop" : "start";
                        String reason = "soak cycle " + i;
                        Cmd.Result r = p.exec("warden", op, "--reason", reason);
                        check(i, "warden " + op + " exit (" + r.out().strip() + r.err().strip() + ")", 0, r.exit());
                        intent = op.equals("stop") ? "down" : "up";
                        Map<String, Object> after = p.status();
                        check(i, "after warden " + op + ": observed", intent, after.get("observed"));
                        check(i, "after warden " + op + ": intent state", intent, intent(after).get("state"));
                        check(i, "after warden " + op + ": intent source", "user", intent(after).get("source"));
                        check(i, "after warden " + op + ": intent reason", reason, intent(after).get("reason"));
                        expectedIntent = intent(after);
                        if (op.equals("stop")) {
                            check(i, "after warden stop: lastShutdown cause", "user", lastShutdown(after).get("cause"));
                            userStop = lastShutdown(after);
                        }
                    }

                    // 2. the recreate
                    String oldId = p.containerId();
                    Instant recreateStart = Instant.now();
                    long t0 = System.nanoTime();
                    Cmd.Result r = p.compose("up", "-d", "--force-recreate").orThrow();
                    composeMs.add(r.millis());
                    String id = p.containerId();
                    if (id == null || !ids.add(id)) {
                        mismatch(i, "container id " + id + " is not new (previous " + oldId + ")");
                    }

                    // 3. settled: the new container's warden reports desired and observed equal to the intent
                    String want = intent;
                    s = p.awaitStatus("desired and observed " + want, SETTLE,
                            st -> want.equals(st.get("desired")) && want.equals(st.get("observed")));
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    settleMs.add(ms);
                    if ("down".equals(intent)) {
                        ComposeProject.sleep(1000);
                        s = p.status(); // a wrong start would show by now (and in the journal below)
                    }

                    // 4. the checks
                    check(i, "desired", intent, s.get("desired"));
                    check(i, "observed", intent, s.get("observed"));
                    if ("up".equals(intent) && s.get("pid") == null) mismatch(i, "observed up without a pid: " + Json.write(s));
                    if ("down".equals(intent) && s.get("pid") != null) mismatch(i, "down with a pid: " + Json.write(s));
                    check(i, "healthy", true, s.get("healthy"));
                    check(i, "drift", false, s.get("drift"));
                    check(i, "degraded", List.of(), s.get("degraded"));
                    check(i, "intent record unchanged by the recreate", expectedIntent, intent(s));
                    Map<String, Object> last = lastShutdown(s);
                    if ("up".equals(intent)) {
                        check(i, "lastShutdown cause (recreate with intent up)", "signal", last.get("cause"));
                        check(i, "lastShutdown signal", "SIGTERM", last.get("signal"));
                        Instant at = instant(last.get("at"));
                        if (at == null || at.isBefore(recreateStart)) {
                            mismatch(i, "lastShutdown is not from this recreate (at " + last.get("at") + ", recreate at "
                                    + recreateStart + ")");
                        }
                    } else {
                        check(i, "lastShutdown (recreate with intent down: the user stop's record, unchanged)", userStop, last);
                    }
                    checkJournal(i, p, intent, previousCycleEnd);
                    previousCycleEnd = Instant.now();
                } catch (AssertionError | RuntimeException e) {
                    mismatch(i, "cycle aborted: " + e.getMessage());
                    previousCycleEnd = Instant.now();
                }
                done = i;
                if (mismatches.size() > before) {
                    brokenCycles.add(i);
                    dumpLogs(p, i);
                    if (++brokenInARow >= MAX_CONSECUTIVE_BROKEN) {
                        mismatches.add("soak stopped early after " + MAX_CONSECUTIVE_BROKEN + " broken cycles in a row (cycle " + i + ")");
                        break;
                    }
                } else {
                    brokenInARow = 0;
                }
                if (i % 10 == 0) {
                    System.out.printf("[soak] %d/%d cycles, %d wrong decisions so far, last recreate->settled %s ms, %.0f s elapsed%n",
                            i, cycles, mismatches.size(), settleMs.isEmpty() ? "-" : settleMs.get(settleMs.size() - 1),
                            (System.nanoTime() - classStart) / 1e9);
                    System.out.flush();
                }
            }
        } catch (AssertionError | RuntimeException e) {
            mismatches.add("soak setup failed: " + e.getMessage());
        } finally {
            try {
                p.down();
            } catch (AssertionError | RuntimeException e) {
                System.out.println("[soak] down -v failed: " + e.getMessage());
            }
        }

        double totalS = (System.nanoTime() - classStart) / 1e9;
        System.out.println("[soak] ---- figures ----");
        System.out.printf("[soak] cycles: %d of %d (warden.soak=%s)%n", done, cycles, System.getProperty("warden.soak"));
        System.out.printf("[soak] wrong decisions: %d (in %d cycles%s)%n", mismatches.size(), brokenCycles.size(),
                brokenCycles.isEmpty() ? "" : ": " + brokenCycles);
        System.out.printf("[soak] up -d --force-recreate -> settled: median %d ms, p95 %d ms, min %d ms, max %d ms (n=%d)%n",
                percentile(settleMs, 50), percentile(settleMs, 95), percentile(settleMs, 0), percentile(settleMs, 100), settleMs.size());
        System.out.printf("[soak] compose up -d --force-recreate alone: median %d ms, p95 %d ms%n",
                percentile(composeMs, 50), percentile(composeMs, 95));
        System.out.printf("[soak] total: %.1f s (after the image build, including down -v)%n", totalS);
        System.out.println("RELIABILITY | soak (container recreates, alternating warden stop/start) | runs: " + done
                + " recreates | outcome: " + mismatches.size() + " wrong decisions; recreate->settled median "
                + percentile(settleMs, 50) + " ms, p95 " + percentile(settleMs, 95) + " ms; total "
                + String.format("%.0f s", totalS));
        mismatches.forEach(m -> System.out.println("[soak] MISMATCH " + m));
        System.out.flush();
        assertEquals(0, mismatches.size(), "wrong decisions in " + done + " cycles:\n" + String.join("\n", mismatches));
    }

    /**
     * The journal since the previous cycle ended: one boot (the new container's warden), the old warden's
     * warden-stop with cause signal iff the intent was up, and after the boot a gateway-up and no exit (up), or no
     * gateway-up (down).
     */
    private void checkJournal(int i, ComposeProject p, String intent, Instant since) {
        // status is published before the journal append (and its fsync): give the record a moment to land.
        // Retrying hides no wrong decision: records are only ever added, never taken back.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<String> problems;
        while (!(problems = journalProblems(p, intent, since)).isEmpty() && System.nanoTime() < deadline) {
            ComposeProject.sleep(200);
        }
        problems.forEach(m -> mismatch(i, m));
    }

    private static List<String> journalProblems(ComposeProject p, String intent, Instant since) {
        List<String> problems = new ArrayList<>();
        List<Map<String, Object>> recent = new ArrayList<>();
        for (Map<String, Object> r : history(p)) {
            Instant at = instant(r.get("at"));
            if (at != null && at.isAfter(since)) recent.add(r);
        }
        int boot = -1;
        int boots = 0;
        for (int k = 0; k < recent.size(); k++) {
            if ("boot".equals(recent.get(k).get("event"))) {
                boot = k;
                boots++;
            }
        }
        if (boots != 1) {
            problems.add("journal: " + boots + " boot records since the previous cycle (want 1): " + Json.write(recent));
            return problems;
        }
        List<Map<String, Object>> stops = recent.subList(0, boot).stream()
                .filter(r -> "warden-stop".equals(r.get("event"))).toList();
        if (stops.size() != 1) {
            problems.add("journal: " + stops.size() + " warden-stop records before the boot (want 1): " + Json.write(recent));
        } else {
            Object cause = stops.get(0).get("cause");
            if ("up".equals(intent) != "signal".equals(cause)) {
                problems.add("journal: the old warden's warden-stop has cause " + cause + " with intent " + intent);
            }
        }
        List<Map<String, Object>> afterBoot = recent.subList(boot + 1, recent.size());
        long ups = afterBoot.stream().filter(r -> "gateway-up".equals(r.get("event"))).count();
        long exits = afterBoot.stream().filter(r -> "gateway-exit".equals(r.get("event")) || "shutdown".equals(r.get("event"))
                || "backoff".equals(r.get("event"))).count();
        // intent up: one gateway-up, or none when the boot adopted a gateway already running (the run script's
        // early start); intent down: none. Either way no end of the gateway's run after the boot.
        long want = "up".equals(intent) ? 1 : 0;
        if (ups > want || exits != 0) {
            problems.add("journal after the boot: " + ups + " gateway-up (want at most " + want + "), " + exits
                    + " exits/shutdowns/backoffs (want 0): " + Json.write(afterBoot));
        }
        return problems;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> history(ComposeProject p) {
        Cmd.Result r = p.exec("warden", "history", "--json", "-n", "40").orThrow();
        try {
            return (List<Map<String, Object>>) Json.parse(r.out().strip());
        } catch (io.warden.json.JsonException e) {
            throw new AssertionError("history --json is not JSON: " + r, e);
        }
    }

    private void check(int cycle, String what, Object expected, Object actual) {
        if (!Objects.equals(expected, actual)) {
            mismatch(cycle, what + ": expected " + Json.write(expected) + " but was " + Json.write(actual));
        }
    }

    private void mismatch(int cycle, String what) {
        String m = "cycle " + cycle + ": " + what;
        mismatches.add(m);
        System.out.println("[soak] MISMATCH " + m);
    }

    private void dumpLogs(ComposeProject p, int cycle) {
        if (logsDumped++ >= 3) return;
        try {
            System.out.println("[soak] logs of " + p.name + " after cycle " + cycle + ":\n" + p.logs());
        } catch (AssertionError | RuntimeException e) {
            System.out.println("[soak] logs unavailable: " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> intent(Map<String, Object> s) {
        Object v = s.get("intent");
        if (!(v instanceof Map)) throw new AssertionError("status has no intent: " + Json.write(s));
        return (Map<String, Object>) v;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> lastShutdown(Map<String, Object> s) {
        Object v = s.get("lastShutdown");
        if (!(v instanceof Map)) throw new AssertionError("lastShutdown is null in " + Json.write(s));
        return (Map<String, Object>) v;
    }

    private static Instant instant(Object iso) {
        if (!(iso instanceof String str)) return null;
        try {
            return Instant.parse(str);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Nearest-rank percentile (0 = min, 100 = max); -1 with no samples. */
    private static long percentile(List<Long> samples, int pct) {
        if (samples.isEmpty()) return -1;
        List<Long> sorted = samples.stream().sorted().toList();
        int rank = (int) Math.ceil(pct / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}

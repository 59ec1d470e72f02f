package io.warden.cli;

import io.warden.config.Setting;
import io.warden.config.Settings;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

import static io.warden.cli.StatusView.text;

/**
 * {@code warden start|stop|restart}: the daemon records the intent and acts; this waits until s6 reports it.
 * {@code --timeout} bounds the whole command, and what it prints at the end is what is known: changed, recorded
 * but not reached, not changed (nothing was sent, or the daemon refused), or unknown (sent, no answer).
 */
final class ControlCommand {
    static final double DEFAULT_TIMEOUT = 30;
    private static final long POLL_MILLIS = 100;
    /**
     * A started gateway counts as up once the same run has lasted this long, so one that dies at once (a bad
     * configuration) is not reported as started. s6 uses the same second to tell a run from a crash loop.
     */
    private static final long SETTLE_NANOS = 1_000_000_000L;

    private final PrintStream out;
    private final PrintStream err;
    private final Client client;

    ControlCommand(Settings settings, PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
        this.client = new Client(settings.path(Setting.SOCKET));
    }

    int run(String op, String service, double timeoutSeconds, String reason) {
        Deadline deadline = Deadline.in(timeoutSeconds);
        Map<String, Object> extra = new HashMap<>(StatusCommand.named(service));
        if (reason != null) extra.put("reason", reason);
        Map<String, Object> answer;
        try {
            answer = client.call(op, extra, deadline);
        } catch (CallFailure e) {
            return unanswered(e, deadline, "warden status");
        }
        if (!Boolean.TRUE.equals(answer.get("ok"))) return StatusView.error(err, answer);
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) answer.get("result");
        if (!Boolean.TRUE.equals(r.get("applied"))) err.println("warden: " + text(r.get("message")));
        Object previousPid = r.get("previousPid");
        String want = op.equals("stop") ? "down" : "up";
        String holds = "";
        if (r.get("holds") instanceof java.util.List<?> h && !h.isEmpty()) {
            java.util.List<String> names = new java.util.ArrayList<>();
            for (Object o : h) names.add(text(o));
            holds = "; also stopped, held by it (their own intents unchanged): " + String.join(", ", names);
        }

        Map<String, Object> last = null;
        String silence = null;
        Object settlingPid = null;
        long settledAt = 0;
        while (true) {
            try {
                Map<String, Object> s = client.call("status", StatusCommand.named(service), deadline);
                silence = null;
                if (Boolean.TRUE.equals(s.get("ok"))) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> st = (Map<String, Object>) s.get("result");
                    last = st;
                    boolean reached = reached(op, want, st, previousPid);
                    if (reached && !op.equals("stop") && !st.get("pid").equals(settlingPid)) {
                        settlingPid = st.get("pid");
                        settledAt = System.nanoTime() + SETTLE_NANOS;
                    }
                    if (!reached) settlingPid = null;
                    if (reached && (op.equals("stop") || System.nanoTime() - settledAt >= 0)) {
                        out.println(text(st.get("service")) + " is " + want + (st.get("pid") == null ? ""
                                : " (pid " + text(st.get("pid")) + ")") + "; intent " + want + " recorded" + holds);
                        return ExitCode.OK;
                    }
                    if ("failed".equals(st.get("observed")) && !op.equals("stop")) {
                        err.println("warden: " + text(st.get("service")) + " failed (fatal configuration, exit 78) and"
                                + " is not restarted; fix its configuration, then run 'warden start' again. The intent"
                                + " up is recorded.");
                        return ExitCode.NOT_CONVERGED;
                    }
                }
            } catch (CallFailure e) {
                if (e.stage() == CallFailure.Stage.NOT_RUNNING) {
                    // the daemon answered "recorded" before it went away: the intent holds at its next start
                    err.println("warden: lost the daemon while waiting (" + text(e.getMessage()) + "). The intent "
                            + want + " is recorded and applies when warden runs again.");
                    return ExitCode.NOT_CONVERGED;
                }
                // a status that got no answer: the wait ends below, saying so; not one the deadline itself cut
                // short after the daemon had answered (then the last answer is what is known)
                if (last == null || !deadline.passed()) silence = e.getMessage();
            }
            if (deadline.passed()) break;
            try {
                Thread.sleep(Math.min(POLL_MILLIS, deadline.remainingMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        err.println("warden: " + (last != null ? text(last.get("service")) : service != null ? service : "the service")
                + " did not reach '" + want + "' within " + deadline.seconds() + " s (observed: "
                + (silence != null ? "unknown, the daemon did not answer: " + text(silence)
                : last == null ? "unknown" : text(last.get("observed"))) + "). The intent " + want
                + " is recorded; " + (silence != null || last == null ? "" : s6Doing(last, want)) + "see 'warden status'"
                + " and the service's log.");
        return ExitCode.NOT_CONVERGED;
    }

    /** What s6 is doing, as the last status shows it: still at it, or settled somewhere the intent does not ask. */
    private static String s6Doing(Map<String, Object> st, String want) {
        if (Boolean.TRUE.equals(st.get("drift"))) {
            return "s6 has settled at '" + text(st.get("observed")) + "' and is not acting on it"
                    + (want.equals("up") ? " (a finish script that exits 125 tells s6 to give up)" : "") + "; ";
        }
        return "s6 is still at it; ";
    }

    /** {@code warden remove NAME@INST}: the daemon stops the instance, takes it out of s6 and forgets it. */
    int remove(String service, double timeoutSeconds) {
        Deadline deadline = Deadline.in(timeoutSeconds);
        Map<String, Object> answer;
        try {
            answer = client.call("remove", StatusCommand.named(service), deadline);
        } catch (CallFailure e) {
            return unanswered(e, deadline, "warden list");
        }
        if (!Boolean.TRUE.equals(answer.get("ok"))) return StatusView.error(err, answer);
        out.println(service + " removed: stopped, taken out of s6 and forgotten");
        return ExitCode.OK;
    }

    /**
     * A change request that got no answer, in words true for how far it went: sent (it may still be carried out,
     * {@code check} tells) or never sent (nothing was changed). Returns the exit code.
     */
    private int unanswered(CallFailure e, Deadline deadline, String check) {
        if (e.requestSent()) {
            err.println("warden: the request was sent but no answer came within " + deadline.seconds()
                    + " s (" + text(e.getMessage()) + "): it may still be carried out; check '" + check + "'");
            return ExitCode.OUTCOME_UNKNOWN;
        }
        err.println("warden: " + text(StatusCommand.daemonState(e, client)));
        err.println("nothing was changed; is the warden service running? (s6-svstat, the container's log)");
        return ExitCode.UNREACHABLE;
    }

    private static boolean reached(String op, String want, Map<String, Object> st, Object previousPid) {
        Object observed = st.get("observed");
        if (op.equals("stop")) return "down".equals(observed) || "failed".equals(observed);
        if (!want.equals(observed)) return false;
        return !op.equals("restart") || previousPid == null || !previousPid.equals(st.get("pid"));
    }
}

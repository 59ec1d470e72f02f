package io.warden.cli;

import io.warden.config.Setting;
import io.warden.config.Settings;

import java.io.IOException;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/** {@code warden start|stop|restart}: the daemon records the intent and acts; this waits until s6 reports it. */
final class ControlCommand {
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
        this.client = new Client(settings.path(Setting.SOCKET), 10_000);
    }

    int run(String op, String service, double timeoutSeconds, String reason) {
        Map<String, Object> extra = new HashMap<>();
        if (service != null) extra.put("service", service);
        if (reason != null) extra.put("reason", reason);
        Map<String, Object> answer;
        try {
            answer = client.call(op, extra);
        } catch (IOException e) {
            err.println("warden: cannot reach the daemon at " + client.socket() + ": " + e.getMessage());
            err.println("nothing was changed; is the warden service running? (s6-svstat, the container's log)");
            return ExitCode.UNREACHABLE;
        }
        if (!Boolean.TRUE.equals(answer.get("ok"))) return StatusView.error(err, answer);
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) answer.get("result");
        if (!Boolean.TRUE.equals(r.get("applied"))) err.println("warden: " + r.get("message"));
        Object previousPid = r.get("previousPid");
        String want = op.equals("stop") ? "down" : "up";

        long deadline = System.nanoTime() + (long) (timeoutSeconds * 1e9);
        Map<String, Object> last = null;
        Object settlingPid = null;
        long settledAt = 0;
        while (true) {
            try {
                Map<String, Object> s = client.call("status", service == null ? Map.of() : Map.of("service", service));
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
                        out.println(st.get("service") + " is " + want + (st.get("pid") == null ? ""
                                : " (pid " + st.get("pid") + ")") + "; intent " + want + " recorded");
                        return ExitCode.OK;
                    }
                    if ("failed".equals(st.get("observed")) && !op.equals("stop")) {
                        err.println("warden: " + st.get("service") + " failed (fatal configuration, exit 78) and is not"
                                + " restarted; fix its configuration, then run 'warden start' again. The intent up is"
                                + " recorded.");
                        return ExitCode.NOT_CONVERGED;
                    }
                }
            } catch (IOException e) {
                // the daemon answered "recorded" before it went away: the intent holds at its next start
                err.println("warden: lost the daemon while waiting (" + e.getMessage() + "). The intent " + want
                        + " is recorded and applies when warden runs again.");
                return ExitCode.NOT_CONVERGED;
            }
            if (System.nanoTime() - deadline >= 0) break;
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        err.println("warden: " + (last == null ? (service == null ? "the service" : service) : last.get("service"))
                + " did not reach '" + want + "' within " + timeoutSeconds + " s (observed: "
                + (last == null ? "unknown" : last.get("observed")) + "). The intent " + want
                + " is recorded and s6 keeps at it; see 'warden status' and the gateway's log.");
        return ExitCode.NOT_CONVERGED;
    }

    /** {@code warden remove NAME@INST}: the daemon stops the instance, takes it out of s6 and forgets it. */
    int remove(String service, double timeoutSeconds) {
        Map<String, Object> answer;
        try {
            answer = client.call("remove", Map.of("service", service));
        } catch (IOException e) {
            err.println("warden: cannot reach the daemon at " + client.socket() + ": " + e.getMessage());
            err.println("nothing was changed; is the warden service running? (s6-svstat, the container's log)");
            return ExitCode.UNREACHABLE;
        }
        if (!Boolean.TRUE.equals(answer.get("ok"))) return StatusView.error(err, answer);
        out.println(service + " removed: stopped, taken out of s6 and forgotten");
        return ExitCode.OK;
    }

    private static boolean reached(String op, String want, Map<String, Object> st, Object previousPid) {
        Object observed = st.get("observed");
        if (op.equals("stop")) return "down".equals(observed) || "failed".equals(observed);
        if (!want.equals(observed)) return false;
        return !op.equals("restart") || previousPid == null || !previousPid.equals(st.get("pid"));
    }
}

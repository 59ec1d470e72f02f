package io.warden.cli;

import io.warden.config.Setting;
import io.warden.config.Settings;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

import static io.warden.cli.StatusView.text;

/**
 * {@code warden start|stop|restart}: the daemon records the intent and acts; this waits until s6 reports it. It
 * subscribes to warden's events first, then sends the request, then reads one status and follows the service's
 * events from there ({@link ServiceWait}), so it learns of each change as it happens and never polls.
 * {@code --timeout} bounds the whole command, and what it prints at the end is what is known: changed, recorded
 * but not reached, not changed (nothing was sent, or the daemon refused), or unknown (sent, no answer).
 */
final class ControlCommand {
    static final double DEFAULT_TIMEOUT = 30;
    /** Streams the daemon may end under one wait (a dropped watcher subscribes again) before it counts as lost. */
    private static final int MAX_SUBSCRIPTIONS = 4;
    /**
     * How soon the status is read again while s6 runs a stopped service's finish script: the one wait no event
     * ends (a finish script usually takes milliseconds; one that takes longer is read again at this pace).
     */
    private static final long FINISH_RECHECK_NANOS = 50_000_000L;
    /**
     * Kept at the end of the time for one last status: events say a run ended, not what s6 did next (restart it,
     * or settle down when the finish script says so), and the words of a wait that did not converge must be s6's.
     */
    private static final long LAST_STATUS_NANOS = 300_000_000L;

    private final PrintStream out;
    private final PrintStream err;
    private final Client client;
    private final String defaultService;

    ControlCommand(Settings settings, PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
        this.client = new Client(settings.path(Setting.SOCKET));
        this.defaultService = settings.service();
    }

    /** Why a wait ended before the service reached its state: the daemon went away, with the words of why. */
    private static final class Lost extends Exception {
        private static final long serialVersionUID = 1L;

        Lost(String why) {
            super(why, null, false, false);
        }
    }

    int run(String op, String service, double timeoutSeconds, String reason) {
        Deadline deadline = Deadline.in(timeoutSeconds);
        Map<String, Object> extra = new HashMap<>(StatusCommand.named(service));
        if (reason != null) extra.put("reason", reason);
        EventStream events;
        try {
            events = EventStream.open(client, deadline);
        } catch (CallFailure e) {
            // a subscription changes nothing, however far it went
            return unanswered(e.requestSent() ? new CallFailure(CallFailure.Stage.UNREACHABLE, e.getMessage()) : e,
                    deadline, "warden status");
        }
        try {
            // the subscription is answered before the request goes out, so no event of the request is missed; a
            // daemon that does not answer it within half the time (or closes it) still gets the request, whose
            // answer then says what is known; only a refusal stops the command before anything is sent
            Map<String, Object> watching = answer(events, deadline.halfwayNanos());
            if (watching != null && !Boolean.TRUE.equals(watching.get("ok"))) {
                int code = StatusView.error(err, watching);
                err.println("nothing was changed: the command follows warden's events to see s6 act, and could not "
                        + "subscribe to them");
                return code;
            }
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
            String holds = "";
            if (r.get("holds") instanceof java.util.List<?> h && !h.isEmpty()) {
                java.util.List<String> names = new java.util.ArrayList<>();
                for (Object o : h) names.add(text(o));
                holds = "; also stopped, held by it (their own intents unchanged): " + String.join(", ", names);
            }
            ServiceWait wait = new ServiceWait(op, r.get("previousPid"));
            try {
                if (watching == null) watching = answer(events, deadline.endNanos());
                if (watching != null && !Boolean.TRUE.equals(watching.get("ok"))) {
                    return cannotFollow(watching, wait.want());
                }
                // a stream that ended unanswered is subscribed again by follow, as one that ends later
                return follow(events, wait, service, deadline, holds, watching == null && !events.ended()
                        ? "no answer to the subscription within " + deadline.seconds() + " s" : null);
            } catch (Lost e) {
                err.println("warden: lost the daemon while waiting (" + text(e.getMessage()) + "). The intent "
                        + wait.want() + " is recorded and applies when warden runs again.");
                return ExitCode.NOT_CONVERGED;
            }
        } finally {
            events.close();
        }
    }

    /** The subscription's answer by {@code untilNanos}; null when none came, or the stream ended before it. */
    private static Map<String, Object> answer(EventStream events, long untilNanos) {
        try {
            return events.answer(untilNanos);
        } catch (CallFailure e) {
            return null;
        }
    }

    /** An error answer of the command's own, in the daemon's shape. */
    private static Map<String, Object> failed(String code, String message) {
        Map<String, Object> m = new HashMap<>();
        m.put("ok", false);
        m.put("error", Map.of("code", code, "message", String.valueOf(message)));
        return m;
    }

    private int cannotFollow(Map<String, Object> refused, String want) throws Lost {
        @SuppressWarnings("unchecked")
        Map<String, Object> e = (Map<String, Object>) refused.get("error");
        Object code = e == null ? null : e.get("code");
        Object message = e == null ? "malformed answer" : e.get("message");
        if ("shutting-down".equals(code)) throw new Lost(String.valueOf(message));
        err.println("warden: cannot follow warden's events to see s6 act (" + text(message) + " [" + text(code)
                + "]). The intent " + want + " is recorded; see 'warden status' and the service's log.");
        return ExitCode.NOT_CONVERGED;
    }

    /**
     * Reads a status, then the service's events until it reaches the wanted state, fails, or the deadline passes.
     * {@code silence}: why nothing can be known (the subscription got no answer), or null.
     */
    private int follow(EventStream first, ServiceWait wait, String service, Deadline deadline, String holds,
                       String silence) throws Lost {
        EventStream events = first;
        String name = service != null ? service : defaultService;
        int subscriptions = 1;
        if (silence == null) silence = readStatus(wait, service, deadline, null);
        long followUntil = deadline.endNanos() - Math.min(LAST_STATUS_NANOS, deadline.remainingMillis() * 1_000_000L / 4);
        try {
            while (true) {
                if (wait.last() != null) name = String.valueOf(wait.last().get("service"));
                switch (wait.verdict(System.nanoTime())) {
                    case REACHED -> {
                        return reached(wait, holds);
                    }
                    case FAILED -> {
                        err.println("warden: " + text(wait.last().get("service")) + " failed (fatal configuration, exit"
                                + " 78) and is not restarted; fix its configuration, then run 'warden start' again. The"
                                + " intent up is recorded.");
                        return ExitCode.NOT_CONVERGED;
                    }
                    case WAITING -> {
                    }
                }
                if (System.nanoTime() - followUntil >= 0) break;
                Map<String, Object> e;
                try {
                    long until = Math.min(followUntil, wait.decidesAt());
                    if (wait.needsStatus()) until = Math.min(until, System.nanoTime() + FINISH_RECHECK_NANOS);
                    e = events.next(until);
                } catch (CallFailure f) {
                    return cannotFollow(failed("stream", f.getMessage()), wait.want());
                }
                if (e != null) {
                    if (name.equals(e.get("service"))) wait.event(e, System.nanoTime());
                    continue;
                }
                if (!events.ended()) {
                    if (wait.needsStatus()) silence = readStatus(wait, service, deadline, silence);
                    continue;
                }
                // warden stopped, or dropped this watcher: subscribe again, then read what happened meanwhile
                events.close();
                if (++subscriptions > MAX_SUBSCRIPTIONS) throw new Lost("the daemon ended the event stream "
                        + MAX_SUBSCRIPTIONS + " times");
                try {
                    events = EventStream.open(client, deadline);
                } catch (CallFailure f) {
                    throw new Lost(f.getMessage());
                }
                Map<String, Object> again;
                try {
                    again = events.answer(deadline.endNanos());
                } catch (CallFailure f) {
                    throw new Lost(f.getMessage());
                }
                if (again == null) break;
                if (!Boolean.TRUE.equals(again.get("ok"))) return cannotFollow(again, wait.want());
                silence = readStatus(wait, service, deadline, silence);
            }
        } finally {
            if (events != first) events.close();
        }
        if (silence == null && wait.last() != null && !deadline.passed()) {
            silence = readStatus(wait, service, deadline, null);
            if (wait.verdict(System.nanoTime()) == ServiceWait.Verdict.REACHED) return reached(wait, holds);
        }
        Map<String, Object> last = wait.last();
        String want = wait.want();
        err.println("warden: " + (last != null ? text(last.get("service")) : service != null ? service : "the service")
                + " did not reach '" + want + "' within " + deadline.seconds() + " s (observed: "
                + (silence != null ? "unknown, the daemon did not answer: " + text(silence)
                : last == null ? "unknown" : text(last.get("observed"))) + "). The intent " + want
                + " is recorded; " + (silence != null || last == null ? "" : s6Doing(last, want)) + "see 'warden status'"
                + " and the service's log.");
        return ExitCode.NOT_CONVERGED;
    }

    private int reached(ServiceWait wait, String holds) {
        Map<String, Object> st = wait.last();
        out.println(text(st.get("service")) + " is " + wait.want() + (st.get("pid") == null ? ""
                : " (pid " + text(st.get("pid")) + ")") + "; intent " + wait.want() + " recorded" + holds);
        return ExitCode.OK;
    }

    /** One status into {@code wait}; returns why none came (or null), a daemon gone being a lost wait. */
    private String readStatus(ServiceWait wait, String service, Deadline deadline, String silence) throws Lost {
        try {
            Map<String, Object> s = client.call("status", StatusCommand.named(service), deadline);
            if (Boolean.TRUE.equals(s.get("ok"))) {
                @SuppressWarnings("unchecked")
                Map<String, Object> st = (Map<String, Object>) s.get("result");
                wait.status(st, System.nanoTime());
            }
            return null;
        } catch (CallFailure e) {
            // the daemon answered "recorded" before it went away: the intent holds at its next start
            if (e.stage() == CallFailure.Stage.NOT_RUNNING) throw new Lost(e.getMessage());
            // a status that got no answer: the wait ends, saying so; not one the deadline itself cut short after
            // the daemon had answered (then the last answer is what is known)
            return wait.last() == null || !deadline.passed() ? e.getMessage() : silence;
        }
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
}

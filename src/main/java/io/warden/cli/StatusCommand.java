package io.warden.cli;

import io.warden.text.PrintableText;
import io.warden.config.Setting;
import io.warden.config.Settings;
import io.warden.json.Json;
import io.warden.state.ServiceState;
import io.warden.state.StateStore;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code warden status} and {@code warden check}. */
final class StatusCommand {
    static final double DEFAULT_STATUS_TIMEOUT = 10;
    /** Below the image's HEALTHCHECK timeout (5 s), so a daemon that does not answer is reported, not killed. */
    static final double DEFAULT_CHECK_TIMEOUT = 3;

    private final Settings settings;
    private final PrintStream out;
    private final PrintStream err;
    private final Client client;

    StatusCommand(Settings settings, PrintStream out, PrintStream err) {
        this.settings = settings;
        this.out = out;
        this.err = err;
        this.client = new Client(settings.path(Setting.SOCKET));
    }

    /** The request's members naming a service; none for the default (or, for check, every) service. */
    static Map<String, Object> named(String service) {
        return service == null ? Map.of() : Map.of("service", service);
    }

    int status(String service, boolean json, double timeoutSeconds) {
        Map<String, Object> answer;
        try {
            answer = client.call("status", named(service), Deadline.in(timeoutSeconds));
        } catch (CallFailure e) {
            return offline(service == null ? settings.service() : service, json, e);
        }
        if (!Boolean.TRUE.equals(answer.get("ok"))) return StatusView.error(err, answer);
        @SuppressWarnings("unchecked")
        Map<String, Object> s = (Map<String, Object>) answer.get("result");
        if (json) out.println(StatusView.json(s));
        else out.print(StatusView.render(s));
        Object observed = s.get("observed");
        if ("up".equals(observed)) return ExitCode.OK;
        if ("unknown".equals(observed)) return ExitCode.UNREACHABLE;
        return ExitCode.NOT_UP;
    }

    /** What the daemon's silence means, in words that are true for how far the request went. */
    static String daemonState(CallFailure e, Client client) {
        String where = " (" + client.socket() + ": " + e.getMessage() + ")";
        switch (e.stage()) {
            case NOT_RUNNING:
                return "warden daemon is not running" + where;
            case NO_ANSWER:
                return "warden daemon does not answer" + where;
            default:
                return "cannot reach the warden daemon" + where;
        }
    }

    /**
     * No answer from the daemon: show what the volume says, read-only. Whether the daemon runs is known only when
     * nothing listens on the socket; a daemon that took the request and did not answer may be stopped or stuck.
     */
    private int offline(String service, boolean json, CallFailure why) {
        String reason = PrintableText.escape(daemonState(why, client));
        StateStore.Loaded<ServiceState> l = new StateStore(settings.path(Setting.STATE_DIR), settings.service())
                .peekService(service);
        ServiceState st = l.value();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("service", service);
            m.put("desired", st == null ? null : st.intent().state().wire());
            m.put("observed", "unknown");
            m.put("pid", null);
            m.put("intent", st == null ? null : st.intent().toJson());
            m.put("lastShutdown", st == null || st.lastShutdown() == null ? null : st.lastShutdown().toJson());
            m.put("supervisor", null);
            m.put("healthy", false);
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("running", why.stage() == CallFailure.Stage.NOT_RUNNING ? Boolean.FALSE : null);
            w.put("error", reason);
            m.put("warden", w);
            if (l.damaged()) m.put("degraded", java.util.List.of(l.problem()));
            out.println(StatusView.json(m));
        } else {
            err.println(reason + "; showing the state recorded in " + PrintableText.escape(settings.get(Setting.STATE_DIR)));
            if (st != null) out.print(StatusView.renderRecorded(st));
            else if (l.damaged()) out.println("state: " + PrintableText.escape(l.problem()));
            else out.println("no recorded intent in " + PrintableText.escape(settings.get(Setting.STATE_DIR)));
        }
        return ExitCode.UNREACHABLE;
    }

    /** {@code warden list}: every service, one line each; {@code --json} the array of status documents. */
    @SuppressWarnings("unchecked")
    int list(boolean json, double timeoutSeconds) {
        Map<String, Object> answer;
        try {
            answer = client.call("list", Map.of(), Deadline.in(timeoutSeconds));
        } catch (CallFailure e) {
            err.println(PrintableText.escape(daemonState(e, client)));
            return ExitCode.UNREACHABLE;
        }
        if (!Boolean.TRUE.equals(answer.get("ok"))) return StatusView.error(err, answer);
        java.util.List<Object> all = (java.util.List<Object>) ((Map<String, Object>) answer.get("result")).get("services");
        if (json) {
            out.println(StatusView.json(all));
            return ExitCode.OK;
        }
        int width = 7;
        for (Object o : all) width = Math.max(width, StatusView.text(((Map<String, Object>) o).get("service")).length());
        for (Object o : all) out.println(StatusView.listLine((Map<String, Object>) o, width));
        return ExitCode.OK;
    }

    @SuppressWarnings("unchecked")
    int check(String service, double timeoutSeconds) {
        Map<String, Object> answer;
        try {
            answer = client.call("check", named(service), Deadline.in(timeoutSeconds));
        } catch (CallFailure e) {
            err.println("unhealthy: " + PrintableText.escape(daemonState(e, client)));
            return ExitCode.UNREACHABLE;
        }
        if (!Boolean.TRUE.equals(answer.get("ok"))) return StatusView.error(err, answer);
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) answer.get("result");
        boolean healthy = Boolean.TRUE.equals(r.get("healthy"));
        Object each = r.get("services");
        java.util.List<Object> lines = each instanceof java.util.List ? (java.util.List<Object>) each : java.util.List.of(r);
        for (Object o : lines) {
            Map<String, Object> c = (Map<String, Object>) o;
            boolean ok = Boolean.TRUE.equals(c.get("healthy"));
            (ok ? out : err).println((ok ? "healthy" : "unhealthy") + ": " + StatusView.text(c.get("service"))
                    + " desired " + StatusView.text(c.get("desired")) + ", observed " + StatusView.text(c.get("observed"))
                    + (c.get("reason") == null ? "" : "; " + StatusView.text(c.get("reason"))));
        }
        return healthy ? ExitCode.OK : ExitCode.NOT_CONVERGED;
    }
}

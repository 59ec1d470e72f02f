package io.warden.cli;

import io.warden.config.Setting;
import io.warden.config.Settings;
import io.warden.json.Json;
import io.warden.state.ServiceState;
import io.warden.state.StateStore;

import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code warden status} and {@code warden check}. */
final class StatusCommand {
    private final Settings settings;
    private final PrintStream out;
    private final PrintStream err;
    private final Client client;

    StatusCommand(Settings settings, PrintStream out, PrintStream err) {
        this.settings = settings;
        this.out = out;
        this.err = err;
        this.client = new Client(settings.path(Setting.SOCKET), 10_000);
    }

    private static Map<String, Object> named(String service) {
        return service == null ? Map.of() : Map.of("service", service);
    }

    int status(String service, boolean json) {
        Map<String, Object> answer;
        try {
            answer = client.call("status", named(service));
        } catch (IOException e) {
            return offline(service == null ? settings.service() : service, json, e.getMessage());
        }
        if (!Boolean.TRUE.equals(answer.get("ok"))) return StatusView.error(err, answer);
        @SuppressWarnings("unchecked")
        Map<String, Object> s = (Map<String, Object>) answer.get("result");
        if (json) out.println(Json.write(s));
        else out.print(StatusView.render(s));
        Object observed = s.get("observed");
        if ("up".equals(observed)) return ExitCode.OK;
        if ("unknown".equals(observed)) return ExitCode.UNREACHABLE;
        return ExitCode.NOT_UP;
    }

    /** The daemon does not answer: show what the volume says, read-only, and say the daemon is not running. */
    private int offline(String service, boolean json, String why) {
        String reason = "warden daemon is not running (" + client.socket() + ": " + why + ")";
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
            w.put("running", false);
            w.put("error", reason);
            m.put("warden", w);
            if (l.damaged()) m.put("degraded", java.util.List.of(l.problem()));
            out.println(Json.write(m));
        } else {
            err.println(reason);
            if (st != null) out.print(StatusView.renderRecorded(st));
            else if (l.damaged()) out.println("state: " + l.problem());
            else out.println("no recorded intent in " + settings.get(Setting.STATE_DIR));
        }
        return ExitCode.UNREACHABLE;
    }

    /** {@code warden list}: every service, one line each; {@code --json} the array of status documents. */
    @SuppressWarnings("unchecked")
    int list(boolean json) {
        Map<String, Object> answer;
        try {
            answer = client.call("list", Map.of());
        } catch (IOException e) {
            err.println("warden daemon is not running (" + client.socket() + ": " + e.getMessage() + ")");
            return ExitCode.UNREACHABLE;
        }
        if (!Boolean.TRUE.equals(answer.get("ok"))) return StatusView.error(err, answer);
        java.util.List<Object> all = (java.util.List<Object>) ((Map<String, Object>) answer.get("result")).get("services");
        if (json) {
            out.println(Json.write(all));
            return ExitCode.OK;
        }
        int width = 7;
        for (Object o : all) width = Math.max(width, String.valueOf(((Map<String, Object>) o).get("service")).length());
        for (Object o : all) out.println(StatusView.listLine((Map<String, Object>) o, width));
        return ExitCode.OK;
    }

    @SuppressWarnings("unchecked")
    int check(String service) {
        Map<String, Object> answer;
        try {
            answer = client.call("check", named(service));
        } catch (IOException e) {
            err.println("unhealthy: warden daemon is not running (" + client.socket() + ": " + e.getMessage() + ")");
            return ExitCode.UNREACHABLE;
        }
        if (!Boolean.TRUE.equals(answer.get("ok"))) return StatusView.error(err, answer);
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) answer.get("result");
        boolean healthy = Boolean.TRUE.equals(r.get("healthy"));
        Object each = r.get("services");
        if (each instanceof java.util.List) {
            for (Object o : (java.util.List<Object>) each) {
                Map<String, Object> c = (Map<String, Object>) o;
                boolean ok = Boolean.TRUE.equals(c.get("healthy"));
                (ok ? out : err).println((ok ? "healthy" : "unhealthy") + ": " + c.get("service") + " desired "
                        + c.get("desired") + ", observed " + c.get("observed"));
            }
        } else {
            (healthy ? out : err).println((healthy ? "healthy" : "unhealthy") + ": " + r.get("service") + " desired "
                    + r.get("desired") + ", observed " + r.get("observed"));
        }
        return healthy ? ExitCode.OK : ExitCode.NOT_CONVERGED;
    }
}

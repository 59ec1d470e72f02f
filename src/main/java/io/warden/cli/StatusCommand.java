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

    int status(boolean json) {
        Map<String, Object> answer;
        try {
            answer = client.call("status", Map.of());
        } catch (IOException e) {
            return offline(json, e.getMessage());
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
    private int offline(boolean json, String why) {
        String reason = "warden daemon is not running (" + client.socket() + ": " + why + ")";
        StateStore.Loaded<ServiceState> l = new StateStore(settings.path(Setting.STATE_DIR), settings.service())
                .peekService();
        ServiceState st = l.value();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("service", settings.service());
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

    int check() {
        Map<String, Object> answer;
        try {
            answer = client.call("check", Map.of());
        } catch (IOException e) {
            err.println("unhealthy: warden daemon is not running (" + client.socket() + ": " + e.getMessage() + ")");
            return ExitCode.UNREACHABLE;
        }
        if (!Boolean.TRUE.equals(answer.get("ok"))) return StatusView.error(err, answer);
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) answer.get("result");
        boolean healthy = Boolean.TRUE.equals(r.get("healthy"));
        (healthy ? out : err).println((healthy ? "healthy" : "unhealthy") + ": desired " + r.get("desired")
                + ", observed " + r.get("observed"));
        return healthy ? ExitCode.OK : ExitCode.NOT_CONVERGED;
    }
}

package io.warden.cli;

import io.warden.api.ErrorCode;
import io.warden.text.PrintableText;
import io.warden.json.Json;
import io.warden.state.LastShutdown;
import io.warden.state.ServiceState;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Human text for status answers: what a person needs at a glance. Every value is printed through
 * {@link #text}: text stored by an older version, or read from a volume, may hold control characters, and they
 * must not reach a terminal or a log raw.
 */
final class StatusView {
    private StatusView() {
    }

    /** A value for a terminal: control characters escaped (the rule of {@link PrintableText}). */
    static String text(Object value) {
        return PrintableText.escape(String.valueOf(value));
    }

    /**
     * A JSON document for a terminal. The writer escapes U+0000-U+001F but JSON allows U+007F-U+009F raw; they
     * can only stand inside strings, where the escape is the same character, so escaping the text keeps it valid.
     */
    static String json(Object value) {
        return PrintableText.escape(Json.write(value));
    }

    @SuppressWarnings("unchecked")
    static String render(Map<String, Object> s) {
        StringBuilder sb = new StringBuilder();
        Object observed = s.get("observed");
        Object desired = s.get("desired");
        sb.append(text(s.get("service"))).append(": ").append(text(observed))
                .append(" (desired ").append(text(desired)).append(")");
        sb.append(verdict(s)).append('\n');
        String held = heldBy(s);
        if (!held.isEmpty()) {
            sb.append("  held by ").append(held).append(": it depends on what is stopped, and starts again with it\n");
        }
        if (s.get("definedBy") != null) sb.append("  defined by: ").append(text(s.get("definedBy"))).append('\n');
        if (s.get("pid") != null) {
            sb.append("  pid ").append(text(s.get("pid")));
            Object since = s.get("upSince");
            if (since != null) {
                sb.append(", up ").append(ago(String.valueOf(since))).append(" (since ").append(text(since)).append(')');
            }
            sb.append('\n');
        }
        Map<String, Object> intent = (Map<String, Object>) s.get("intent");
        sb.append("  intent: ").append(text(intent.get("state"))).append(", set by ").append(who(intent))
                .append(" at ").append(text(intent.get("at")));
        if (intent.get("reason") != null) sb.append(" (").append(text(intent.get("reason"))).append(')');
        sb.append('\n');
        Map<String, Object> last = (Map<String, Object>) s.get("lastShutdown");
        sb.append("  last shutdown: ").append(last == null ? "none recorded" : shutdown(last)).append('\n');
        Map<String, Object> exit = (Map<String, Object>) s.get("lastExit");
        if (exit != null && !"up".equals(observed)) {
            sb.append("  last exit: ").append(exit.get("exitCode") != null ? "code " + text(exit.get("exitCode"))
                    : "signal " + text(exit.get("signal"))).append(" at ").append(text(exit.get("at"))).append('\n');
        }
        if ("missing".equals(s.get("template"))) {
            // installed before its template went, it may still run: stopping it works, starting it does not
            sb.append("up".equals(observed) ? "  template: missing (removed from the image): still running from before;"
                    + " warden stop ends it, it cannot be started again\n"
                    : "  template: missing (removed from the image): kept on the volume, not run\n");
        }
        Map<String, Object> w = (Map<String, Object>) s.get("warden");
        sb.append("  supervisor: ").append(text(s.get("supervisor")));
        if (w != null) {
            sb.append("; warden pid ").append(text(w.get("pid"))).append(", running since ").append(text(w.get("startedAt")));
            if (w.get("version") != null) {
                sb.append("; warden ").append(text(w.get("version"))).append(", image ").append(text(w.get("imageVersion")));
            }
        }
        sb.append('\n');
        for (Object p : (List<Object>) s.getOrDefault("degraded", List.of())) {
            sb.append("  DEGRADED: ").append(text(p)).append('\n');
        }
        return sb.toString();
    }

    /**
     * What follows the header: nothing when healthy. "converging" only while s6 is on its way to the intent: a
     * service already where its intent says is unhealthy for another reason (the volume cannot record intents,
     * which {@code degraded} names), and one whose template is gone never gets there.
     */
    private static String verdict(Map<String, Object> s) {
        if (Boolean.TRUE.equals(s.get("healthy"))) return "";
        if (Boolean.TRUE.equals(s.get("drift"))) return "  DRIFT: observed differs from intent";
        if ("missing".equals(s.get("template"))) {
            return "up".equals(s.get("observed")) ? "  TEMPLATE MISSING: still running from before"
                    : "  NOT RUN: its template is missing";
        }
        if ("unknown".equals(s.get("desired"))) return "  UNHEALTHY: its intent cannot be read (see DEGRADED)";
        Object observed = s.get("observed");
        // held down by a service it depends on: down is what is asked of it for now
        boolean wantDown = "down".equals(s.get("desired")) || !heldBy(s).isEmpty();
        boolean there = wantDown ? "down".equals(observed) || "failed".equals(observed) : "up".equals(observed);
        return there ? "  UNHEALTHY: warden cannot record intents (see DEGRADED)" : "  converging";
    }

    /** One line of {@code warden list}: name, observed, desired, pid, intent's source, last shutdown's cause. */
    @SuppressWarnings("unchecked")
    static String listLine(Map<String, Object> s, int width) {
        Map<String, Object> last = (Map<String, Object>) s.get("lastShutdown");
        Map<String, Object> intent = (Map<String, Object>) s.get("intent");
        String state = "missing".equals(s.get("template")) ? "template-missing" : text(s.get("observed"));
        String mark = Boolean.TRUE.equals(s.get("healthy")) ? "" : Boolean.TRUE.equals(s.get("drift")) ? "  DRIFT" : "";
        String held = heldBy(s);
        if (!held.isEmpty()) mark = "  held by " + held + mark;
        return String.format("%-" + width + "s  %-16s  desired %-7s  %-10s  intent by %-8s  last %-8s  %s%s",
                text(s.get("service")), state, text(s.get("desired")), s.get("pid") == null ? "-" : "pid " + text(s.get("pid")),
                intent == null ? "?" : text(intent.get("source")), last == null ? "-" : text(last.get("cause")),
                s.get("definedBy") == null ? "" : text(s.get("definedBy")), mark);
    }

    /** The services holding this one down, comma-separated, or "" when none. */
    private static String heldBy(Map<String, Object> s) {
        if (!(s.get("heldBy") instanceof List<?> h) || h.isEmpty()) return "";
        List<String> names = new java.util.ArrayList<>();
        for (Object o : h) names.add(text(o));
        return String.join(", ", names);
    }

    static String renderRecorded(ServiceState st) {
        StringBuilder sb = new StringBuilder();
        sb.append(text(st.service())).append(": unknown (desired ").append(st.intent().state().wire())
                .append(", recorded)\n");
        sb.append("  intent: ").append(st.intent().state().wire()).append(", set by ").append(who(st.intent().toJson()))
                .append(" at ").append(st.intent().at());
        if (st.intent().reason() != null) sb.append(" (").append(text(st.intent().reason())).append(')');
        sb.append('\n');
        LastShutdown l = st.lastShutdown();
        sb.append("  last shutdown: ").append(l == null ? "none recorded" : shutdown(l.toJson())).append('\n');
        return sb.toString();
    }

    private static String who(Map<String, Object> intent) {
        Object source = intent.get("source");
        if ("default".equals(source)) return "default";
        if ("imported".equals(source)) {
            Object from = intent.get("importedFrom");
            Object file = from instanceof Map ? ((Map<?, ?>) from).get("file") : null;
            return "import" + (file == null ? "" : " from " + text(file));
        }
        // a user intent always names its uid; a file written by hand may not: say so rather than "uid null"
        if (intent.get("uid") == null) return text(source) + " (no uid recorded)";
        return "user uid " + text(intent.get("uid")) + (intent.get("pid") == null ? "" : " pid " + text(intent.get("pid")));
    }

    private static String shutdown(Map<String, Object> l) {
        StringBuilder sb = new StringBuilder().append(text(l.get("cause")));
        if (l.get("signal") != null) sb.append(' ').append(text(l.get("signal")));
        if (l.get("exitCode") != null) sb.append(" exit ").append(text(l.get("exitCode")));
        sb.append(" at ").append(text(l.get("at")));
        if (l.get("detail") != null) sb.append(" (").append(text(l.get("detail"))).append(')');
        return sb.toString();
    }

    static String ago(String iso) {
        try {
            long s = Duration.between(Instant.parse(iso), Instant.now()).getSeconds();
            if (s < 0) s = 0;
            if (s < 60) return s + "s";
            if (s < 3600) return (s / 60) + "m" + (s % 60) + "s";
            if (s < 86400) return (s / 3600) + "h" + (s % 3600 / 60) + "m";
            return (s / 86400) + "d" + (s % 86400 / 3600) + "h";
        } catch (RuntimeException e) {
            // a time the daemon sent that does not parse: the uptime is shown as unknown, the rest still prints
            return "?";
        }
    }

    /** Prints an error answer and maps it to an exit code. */
    @SuppressWarnings("unchecked")
    static int error(PrintStream err, Map<String, Object> answer) {
        Map<String, Object> e = (Map<String, Object>) answer.get("error");
        String code = e == null ? "?" : String.valueOf(e.get("code"));
        err.println("warden: " + (e == null ? "malformed answer" : text(e.get("message"))) + " [" + text(code) + "]");
        if (ErrorCode.FORBIDDEN.wire().equals(code)) {
            err.println("run it as root, or as a member of the group named by WARDEN_CONTROL_GROUP");
            return ExitCode.REFUSED;
        }
        if (ErrorCode.STATE_WRITE_FAILED.wire().equals(code)) return ExitCode.REFUSED;
        if (ErrorCode.TEMPLATE_MISSING.wire().equals(code)) return ExitCode.REFUSED;
        if (ErrorCode.TOO_MANY_SERVICES.wire().equals(code)) return ExitCode.REFUSED;
        if (ErrorCode.UNKNOWN_SERVICE.wire().equals(code) || ErrorCode.NOT_REMOVABLE.wire().equals(code)) {
            return ExitCode.USAGE;
        }
        return ExitCode.UNREACHABLE;
    }
}

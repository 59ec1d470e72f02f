package io.warden.cli;

import io.warden.text.PrintableText;
import io.warden.config.Setting;
import io.warden.config.Settings;

import java.io.PrintStream;
import java.util.Map;

import static io.warden.cli.StatusView.text;

/**
 * {@code warden watch}: each event as it happens, one line each, until interrupted or until warden stops. Human text
 * by default (time, service, event, its fields); {@code --json} one JSON object per line as the daemon sends it.
 * Every field is printed with control characters escaped.
 */
final class WatchCommand {
    static final double DEFAULT_TIMEOUT = 10;
    /** The event that ends a stream normally: warden stopped. */
    private static final String WARDEN_STOP = "warden-stop";

    private final Settings settings;
    private final PrintStream out;
    private final PrintStream err;

    WatchCommand(Settings settings, PrintStream out, PrintStream err) {
        this.settings = settings;
        this.out = out;
        this.err = err;
    }

    int run(String service, boolean json, double timeoutSeconds) {
        Client client = new Client(settings.path(Setting.SOCKET));
        String[] last = new String[1];
        Map<String, Object> answer;
        try {
            answer = client.subscribe("watch", StatusCommand.named(service), Deadline.in(timeoutSeconds), e -> {
                last[0] = String.valueOf(e.get("event"));
                out.println(json ? StatusView.json(e) : line(e));
                out.flush();
                return true;
            });
        } catch (CallFailure e) {
            err.println("warden: " + PrintableText.escape(StatusCommand.daemonState(e, client)));
            return ExitCode.UNREACHABLE;
        }
        if (!Boolean.TRUE.equals(answer.get("ok"))) return StatusView.error(err, answer);
        if (WARDEN_STOP.equals(last[0])) return ExitCode.OK;
        err.println("warden: the event stream ended before warden's stop event"
                + ("watch-dropped".equals(last[0]) ? " (this watcher was dropped: see the last line)" : ""));
        return ExitCode.UNREACHABLE;
    }

    /** {@code AT  SERVICE  EVENT  key=value ...}; warden's own events name no service and show "(warden)". */
    static String line(Map<String, Object> e) {
        Object service = e.get("service");
        StringBuilder sb = new StringBuilder().append(text(e.get("at"))).append("  ")
                .append(service == null ? "(warden)" : text(service)).append("  ").append(text(e.get("event")));
        for (Map.Entry<String, Object> f : e.entrySet()) {
            String k = f.getKey();
            if (k.equals("at") || k.equals("event") || k.equals("service") || f.getValue() == null) continue;
            sb.append("  ").append(text(k)).append('=').append(f.getValue() instanceof Map || f.getValue() instanceof java.util.List
                    ? StatusView.json(f.getValue()) : text(f.getValue()));
        }
        return sb.toString();
    }
}

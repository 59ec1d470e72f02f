package io.warden.cli;

import io.warden.text.PrintableText;
import io.warden.config.Setting;
import io.warden.config.Settings;
import io.warden.state.Journal;
import io.warden.state.StateStore;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

import static io.warden.cli.StatusView.text;

/**
 * {@code warden history}: the journal, oldest first. Read from the volume when the daemon is not running or
 * does not answer in time. Every field is printed with control characters escaped.
 */
final class HistoryCommand {
    static final int DEFAULT_COUNT = 50;
    static final double DEFAULT_TIMEOUT = 10;

    private final Settings settings;
    private final PrintStream out;
    private final PrintStream err;

    HistoryCommand(Settings settings, PrintStream out, PrintStream err) {
        this.settings = settings;
        this.out = out;
        this.err = err;
    }

    @SuppressWarnings("unchecked")
    int run(String service, int n, boolean json, double timeoutSeconds) {
        Client client = new Client(settings.path(Setting.SOCKET));
        List<Object> records;
        try {
            Map<String, Object> ask = new java.util.HashMap<>(StatusCommand.named(service));
            ask.put("n", (long) n);
            Map<String, Object> answer = client.call("history", ask, Deadline.in(timeoutSeconds));
            if (!Boolean.TRUE.equals(answer.get("ok"))) return StatusView.error(err, answer);
            records = (List<Object>) ((Map<String, Object>) answer.get("result")).get("records");
        } catch (CallFailure e) {
            err.println(PrintableText.escape(StatusCommand.daemonState(e, client)) + "; reading the journal from "
                    + text(settings.get(Setting.STATE_DIR)));
            try {
                Journal.Reading r = new StateStore(settings.path(Setting.STATE_DIR), settings.service()).journal().read();
                List<Map<String, Object>> all = new java.util.ArrayList<>();
                for (Map<String, Object> rec : r.records()) {
                    // round 1's records name no service: they are shown in every view, as warden's own
                    Object s = rec.get("service");
                    if (service == null || s == null || service.equals(s)) all.add(rec);
                }
                records = List.copyOf(all.subList(Math.max(0, all.size() - n), all.size()));
            } catch (IOException e2) {
                err.println("warden: cannot read the journal: " + text(e2.getMessage()));
                return ExitCode.UNREACHABLE;
            }
        }
        if (json) {
            out.println(StatusView.json(records));
            return ExitCode.OK;
        }
        for (Object o : records) {
            Map<String, Object> r = (Map<String, Object>) o;
            StringBuilder sb = new StringBuilder().append(text(r.get("at"))).append("  ").append(text(r.get("event")));
            for (Map.Entry<String, Object> e : r.entrySet()) {
                if (e.getKey().equals("at") || e.getKey().equals("event") || e.getValue() == null) continue;
                sb.append("  ").append(text(e.getKey())).append('=').append(text(e.getValue()));
            }
            out.println(sb);
        }
        return ExitCode.OK;
    }
}

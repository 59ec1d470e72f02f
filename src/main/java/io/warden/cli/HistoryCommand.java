package io.warden.cli;

import io.warden.config.Setting;
import io.warden.config.Settings;
import io.warden.json.Json;
import io.warden.state.Journal;
import io.warden.state.StateStore;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** {@code warden history}: the journal, oldest first. Read from the volume when the daemon is not running. */
final class HistoryCommand {
    private final Settings settings;
    private final PrintStream out;
    private final PrintStream err;

    HistoryCommand(Settings settings, PrintStream out, PrintStream err) {
        this.settings = settings;
        this.out = out;
        this.err = err;
    }

    @SuppressWarnings("unchecked")
    int run(String service, int n, boolean json) {
        Client client = new Client(settings.path(Setting.SOCKET), 10_000);
        List<Object> records;
        try {
            Map<String, Object> ask = new java.util.HashMap<>();
            ask.put("n", (long) n);
            if (service != null) ask.put("service", service);
            Map<String, Object> answer = client.call("history", ask);
            if (!Boolean.TRUE.equals(answer.get("ok"))) return StatusView.error(err, answer);
            records = (List<Object>) ((Map<String, Object>) answer.get("result")).get("records");
        } catch (IOException e) {
            err.println("warden daemon is not running (" + e.getMessage() + "); reading the journal from "
                    + settings.get(Setting.STATE_DIR));
            try {
                Journal.Reading r = new StateStore(settings.path(Setting.STATE_DIR), settings.service()).journal().read();
                List<Map<String, Object>> all = new java.util.ArrayList<>();
                for (Map<String, Object> rec : r.records()) {
                    Object s = rec.get("service");
                    if (service == null || s == null || service.equals(s)) all.add(rec);
                }
                records = List.copyOf(all.subList(Math.max(0, all.size() - n), all.size()));
            } catch (IOException e2) {
                err.println("warden: cannot read the journal: " + e2.getMessage());
                return ExitCode.UNREACHABLE;
            }
        }
        if (json) {
            out.println(Json.write(records));
            return ExitCode.OK;
        }
        for (Object o : records) {
            Map<String, Object> r = (Map<String, Object>) o;
            StringBuilder sb = new StringBuilder().append(r.get("at")).append("  ").append(r.get("event"));
            for (Map.Entry<String, Object> e : r.entrySet()) {
                if (e.getKey().equals("at") || e.getKey().equals("event") || e.getValue() == null) continue;
                sb.append("  ").append(e.getKey()).append('=').append(e.getValue());
            }
            out.println(sb);
        }
        return ExitCode.OK;
    }
}

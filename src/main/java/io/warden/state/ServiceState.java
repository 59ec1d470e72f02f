package io.warden.state;

import io.warden.json.Fields;
import io.warden.json.Json;
import io.warden.json.JsonException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything durable about one managed service, kept in one file so that an intent and the shutdown it causes
 * (a user stop) are written in one atomic step.
 */
public record ServiceState(String service, Intent intent, LastShutdown lastShutdown) {
    public static final int FORMAT = FileFormat.VERSION;

    public ServiceState withIntent(Intent i) {
        return new ServiceState(service, i, lastShutdown);
    }

    public ServiceState withLastShutdown(LastShutdown s) {
        return new ServiceState(service, intent, s);
    }

    public String toFileText() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", (long) FORMAT);
        m.put("service", service);
        m.put("intent", intent.toFileJson());
        m.put("lastShutdown", lastShutdown == null ? null : lastShutdown.toJson());
        return Json.writePretty(m);
    }

    public static ServiceState fromFileText(String text) throws JsonException {
        Fields f = FileFormat.open(text, "state");
        Fields last = f.optObject("lastShutdown");
        return new ServiceState(f.string("service"), Intent.fromJson(f.object("intent")),
                last == null ? null : LastShutdown.fromJson(last));
    }
}

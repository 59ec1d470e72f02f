package io.warden.cli;

import io.warden.text.PrintableText;
import io.warden.config.Setting;
import io.warden.config.Settings;

import java.io.PrintStream;
import java.util.Map;

/** {@code warden metrics}: the daemon's metrics in Prometheus's text exposition format, as GET /metrics serves them. */
final class MetricsCommand {
    static final double DEFAULT_TIMEOUT = 10;

    private final Settings settings;
    private final PrintStream out;
    private final PrintStream err;

    MetricsCommand(Settings settings, PrintStream out, PrintStream err) {
        this.settings = settings;
        this.out = out;
        this.err = err;
    }

    @SuppressWarnings("unchecked")
    int run(double timeoutSeconds) {
        Client client = new Client(settings.path(Setting.SOCKET));
        Map<String, Object> answer;
        try {
            answer = client.call("metrics", Map.of(), Deadline.in(timeoutSeconds));
        } catch (CallFailure e) {
            err.println("warden: " + PrintableText.escape(StatusCommand.daemonState(e, client)));
            return ExitCode.UNREACHABLE;
        }
        if (!Boolean.TRUE.equals(answer.get("ok"))) return StatusView.error(err, answer);
        // label values are escaped by the format itself (a newline is \n there); the text holds no raw control bytes
        out.print(((Map<String, Object>) answer.get("result")).get("text"));
        out.flush();
        return ExitCode.OK;
    }
}

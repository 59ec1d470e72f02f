package io.warden.cli;

/** The usage texts: one summary for {@code warden --help}, one per command for {@code warden <command> --help}. */
final class Usage {
    static final String SUMMARY = String.join("\n",
            "usage: warden <command> [options]",
            "",
            "commands:",
            "  daemon                          run the sidecar in the foreground (run by its s6 service)",
            "  status [NAME] [--json] [--timeout SEC]",
            "                                  a service's desired and observed state; exit 0 up, 3 not up, 4 unreachable",
            "  list [--json]                   every service, one line each",
            "  check [NAME] [--timeout SEC]    exit 0 iff what s6 observes matches the intent, for NAME or for every",
            "                                  service (the HEALTHCHECK)",
            "  start|stop|restart [NAME] [--timeout SEC] [--reason TEXT]",
            "                                  record the intent, act, wait until s6 reports it (default 30 s);",
            "                                  start NAME@INSTANCE creates an instance from the template NAME@",
            "  remove NAME@INSTANCE            stop an instance, take it out of s6 and forget it",
            "  history [NAME] [--json] [-n N] [--timeout SEC]",
            "                                  the journal, newest last (NAME: its records and warden's own)",
            "  watch [NAME] [--json]           each event as it happens, one line each, until interrupted or warden",
            "                                  stops (NAME: its events and warden's own)",
            "  metrics                         the metrics in Prometheus's text format",
            "  NAME defaults to WARDEN_SERVICE for status, start, stop, restart; check, history and watch without it",
            "  mean every service.",
            "  <command> --help                that command's usage",
            "",
            "configuration flags (each also an environment variable):",
            "  --state-dir DIR (WARDEN_STATE_DIR)   --socket PATH (WARDEN_SOCKET)   --scandir DIR (WARDEN_SCANDIR)",
            "  --service NAME (WARDEN_SERVICE)      --templates DIR (WARDEN_TEMPLATES)",
            "  --template DIR (WARDEN_TEMPLATE: one-service mode, WARDEN_SERVICE from DIR)",
            "  --default-intent up|down (WARDEN_DEFAULT_INTENT)   --control-group NAME (WARDEN_CONTROL_GROUP)",
            "  daemon only: --notify-fd FD (WARDEN_NOTIFY_FD)   --signal-window SEC (WARDEN_SIGNAL_WINDOW)",
            "  --backoff-max SEC (WARDEN_BACKOFF_MAX)   --journal-max-bytes N (WARDEN_JOURNAL_MAX_BYTES)",
            "  --s6-overlay-basedir DIR (WARDEN_S6_OVERLAY_BASEDIR)   --image-version V (WARDEN_IMAGE_VERSION)",
            "  --metrics-listen HOST:PORT (WARDEN_METRICS_LISTEN: GET /metrics over HTTP; unset: no TCP port)",
            "");

    private static final String FLAGS = "  configuration flags (--state-dir, --socket, ...): see 'warden --help'";

    private static final String TIMEOUT_READ =
            "  --timeout SEC    give up on the daemon after SEC seconds (default %s); never waits longer";

    private Usage() {
    }

    /** The usage of one command; the summary for a name that is not a command. */
    static String of(String command) {
        switch (command) {
            case "daemon":
                return lines("usage: warden daemon [configuration flags]",
                        "  run the sidecar in the foreground, logging one line per event (run by its s6 service)",
                        FLAGS);
            case "status":
                return lines("usage: warden status [NAME] [--json] [--timeout SEC]",
                        "  a service's desired and observed state (NAME: default WARDEN_SERVICE); exit 0 up, 3 not up,",
                        "  4 unreachable.",
                        "  When the daemon is not running or does not answer, the intent recorded on the volume.",
                        "  --json           one JSON document",
                        String.format(TIMEOUT_READ, (long) StatusCommand.DEFAULT_STATUS_TIMEOUT),
                        FLAGS);
            case "check":
                return lines("usage: warden check [NAME] [--timeout SEC]",
                        "  exit 0 iff what s6 observes matches the intent of NAME, or of every service (for",
                        "  HEALTHCHECK; a service whose template is gone is left out); 1 not healthy,",
                        "  4 the daemon is not running or does not answer",
                        String.format(TIMEOUT_READ, (long) StatusCommand.DEFAULT_CHECK_TIMEOUT),
                        FLAGS);
            case "start":
            case "stop":
            case "restart":
                return lines("usage: warden " + command + " [NAME] [--timeout SEC] [--reason TEXT]",
                        "  NAME: the service (default WARDEN_SERVICE)"
                                + ("start".equals(command) ? "; NAME@INSTANCE creates an instance from NAME@" : ""),
                        "  record the intent " + ("stop".equals(command) ? "down" : "up")
                                + ", act, and wait until s6 reports it"
                                + ("restart".equals(command) ? " with a new pid (a stop, then a start)" : ""),
                        "  --timeout SEC    bounds the whole command: reaching the daemon, its answer and the wait",
                        "                   for s6 (default 30). Exit 1: recorded, not reached in time; exit 4: the",
                        "                   daemon could not be reached, nothing was changed; exit 9: the request",
                        "                   was sent but no answer came, it may still be carried out (check",
                        "                   'warden status')",
                        "  --reason TEXT    why, kept in the journal; printable text (no control characters)",
                        FLAGS);
            case "history":
                return lines("usage: warden history [NAME] [--json] [-n N] [--timeout SEC]",
                        "  NAME: only that service's records and warden's own",
                        "  the journal, oldest first, newest last; read from the volume when the daemon is not",
                        "  running or does not answer",
                        "  --json           one JSON array, oldest first",
                        "  -n N             the last N records (default " + HistoryCommand.DEFAULT_COUNT + ")",
                        String.format(TIMEOUT_READ, (long) HistoryCommand.DEFAULT_TIMEOUT),
                        FLAGS);
            case "watch":
                return lines("usage: warden watch [NAME] [--json] [--timeout SEC]",
                        "  each event as it happens (intent set, up, exit, shutdown cause, back-off, instances, boot,",
                        "  stop, upgraded, degraded), one line each, until interrupted or until warden stops",
                        "  NAME: only that service's events and warden's own",
                        "  --json           one JSON object per line (at, service, event, the event's fields)",
                        "  --timeout SEC    give up if the daemon does not accept the watch within SEC seconds"
                                + " (default " + (long) WatchCommand.DEFAULT_TIMEOUT + ")",
                        "  exit 0 when warden stopped (its stop event was the last line); 4 when the daemon cannot",
                        "  be reached or the stream ended otherwise (warden killed, or this watcher dropped for not",
                        "  reading: the last line says so)",
                        FLAGS);
            case "metrics":
                return lines("usage: warden metrics [--timeout SEC]",
                        "  the daemon's metrics in Prometheus's text exposition format (what GET /metrics serves",
                        "  when WARDEN_METRICS_LISTEN is set)",
                        String.format(TIMEOUT_READ, (long) MetricsCommand.DEFAULT_TIMEOUT),
                        FLAGS);
            case "list":
                return lines("usage: warden list [--json] [--timeout SEC]",
                        "  every service, one line each: name, observed, desired, pid, who set the intent, last cause",
                        "  --json           the array of the per-service status documents",
                        String.format(TIMEOUT_READ, (long) StatusCommand.DEFAULT_STATUS_TIMEOUT),
                        FLAGS);
            case "remove":
                return lines("usage: warden remove NAME@INSTANCE [--timeout SEC]",
                        "  stop the instance, take its slot out of s6 and forget it (journaled); plain services",
                        "  cannot be removed ('warden stop NAME' keeps one down)",
                        FLAGS);
            default:
                return SUMMARY;
        }
    }

    private static String lines(String... lines) {
        return String.join("\n", lines) + "\n";
    }
}

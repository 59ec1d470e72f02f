package io.warden.cli;

import io.warden.config.Settings;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Entry point of {@code warden}: picks the command; the daemon's classes load only for {@code warden daemon}. */
public final class Main {
    static final String USAGE = String.join("\n",
            "usage: warden <command> [options]",
            "",
            "commands:",
            "  daemon                          run the sidecar in the foreground (run by its s6 service)",
            "  status [--json]                 the gateway's desired and observed state; exit 0 up, 3 not up, 4 unreachable",
            "  check                           exit 0 iff what s6 observes matches the intent (for HEALTHCHECK)",
            "  start|stop|restart [--timeout SEC] [--reason TEXT]",
            "                                  record the intent, act, wait until s6 reports it (default 30 s)",
            "  history [--json] [-n N]         the journal, newest last",
            "",
            "configuration flags (each also an environment variable):",
            "  --state-dir DIR (WARDEN_STATE_DIR)   --socket PATH (WARDEN_SOCKET)   --scandir DIR (WARDEN_SCANDIR)",
            "  --service NAME (WARDEN_SERVICE)      --template DIR (WARDEN_TEMPLATE)",
            "  --default-intent up|down (WARDEN_DEFAULT_INTENT)   --control-group NAME (WARDEN_CONTROL_GROUP)",
            "  daemon only: --notify-fd FD (WARDEN_NOTIFY_FD)   --signal-window SEC (WARDEN_SIGNAL_WINDOW)",
            "  --backoff-max SEC (WARDEN_BACKOFF_MAX)   --journal-max-bytes N (WARDEN_JOURNAL_MAX_BYTES)",
            "  --s6-overlay-basedir DIR (WARDEN_S6_OVERLAY_BASEDIR)",
            "");

    private Main() {
    }

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 0) {
            err.print(USAGE);
            return ExitCode.USAGE;
        }
        String command = argv[0];
        List<String> rest = Arrays.asList(argv).subList(1, argv.length);
        try {
            switch (command) {
                case "daemon":
                    return daemon(Args.parse(command, rest, Set.of(), Set.of()));
                case "status": {
                    Args a = Args.parse(command, rest, Set.of(), Set.of("--json"));
                    return new StatusCommand(settings(a), out, err).status(a.has("--json"));
                }
                case "check":
                    return new StatusCommand(settings(Args.parse(command, rest, Set.of(), Set.of())), out, err).check();
                case "start":
                case "stop":
                case "restart": {
                    Args a = Args.parse(command, rest, Set.of("--timeout", "--reason"), Set.of());
                    return new ControlCommand(settings(a), out, err)
                            .run(command, a.seconds("--timeout", 30), a.get("--reason"));
                }
                case "history": {
                    Args a = Args.parse(command, rest, Set.of("-n"), Set.of("--json"));
                    return new HistoryCommand(settings(a), out, err).run(a.count("-n", 50), a.has("--json"));
                }
                case "help":
                case "--help":
                case "-h":
                    out.print(USAGE);
                    return ExitCode.OK;
                default:
                    throw new UsageException("unknown command '" + command + "'");
            }
        } catch (UsageException e) {
            err.println("warden: " + e.getMessage());
            err.print(USAGE);
            return ExitCode.USAGE;
        } catch (Settings.ConfigException e) {
            err.println("warden: " + e.getMessage());
            return ExitCode.USAGE;
        }
    }

    private static Settings settings(Args a) {
        return Settings.resolve(System.getenv(), a.settings());
    }

    private static int daemon(Args a) {
        return new io.warden.daemon.Daemon(settings(a)).run();
    }
}

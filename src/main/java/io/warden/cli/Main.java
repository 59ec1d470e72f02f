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
            "  status [NAME] [--json]          a service's desired and observed state; exit 0 up, 3 not up, 4 unreachable",
            "  list [--json]                   every service, one line each",
            "  check [NAME]                    exit 0 iff what s6 observes matches the intent, for NAME or every service",
            "  start|stop|restart [NAME] [--timeout SEC] [--reason TEXT]",
            "                                  record the intent, act, wait until s6 reports it (default 30 s);",
            "                                  start NAME@INSTANCE creates an instance from the template NAME@",
            "  remove NAME@INSTANCE [--timeout SEC]  stop an instance, take it out of s6 and forget it",
            "  history [NAME] [--json] [-n N]  the journal, newest last (NAME: its records and warden's own)",
            "",
            "NAME defaults to WARDEN_SERVICE for status, start, stop and restart; check and history without NAME mean",
            "every service.",
            "",
            "configuration flags (each also an environment variable):",
            "  --state-dir DIR (WARDEN_STATE_DIR)   --socket PATH (WARDEN_SOCKET)   --scandir DIR (WARDEN_SCANDIR)",
            "  --service NAME (WARDEN_SERVICE)      --templates DIR (WARDEN_TEMPLATES)",
            "  --template DIR (WARDEN_TEMPLATE: one-service mode, WARDEN_SERVICE from DIR)",
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
                    Args a = Args.parse(command, rest, Set.of(), Set.of("--json"), 1);
                    return new StatusCommand(settings(a), out, err).status(name(a), a.has("--json"));
                }
                case "list": {
                    Args a = Args.parse(command, rest, Set.of(), Set.of("--json"));
                    return new StatusCommand(settings(a), out, err).list(a.has("--json"));
                }
                case "check": {
                    Args a = Args.parse(command, rest, Set.of(), Set.of(), 1);
                    return new StatusCommand(settings(a), out, err).check(name(a));
                }
                case "start":
                case "stop":
                case "restart": {
                    Args a = Args.parse(command, rest, Set.of("--timeout", "--reason"), Set.of(), 1);
                    return new ControlCommand(settings(a), out, err)
                            .run(command, name(a), a.seconds("--timeout", 30), a.get("--reason"));
                }
                case "remove": {
                    Args a = Args.parse(command, rest, Set.of("--timeout"), Set.of(), 1);
                    if (name(a) == null) throw new UsageException("remove needs an instance name (NAME@INSTANCE)");
                    return new ControlCommand(settings(a), out, err).remove(name(a), a.seconds("--timeout", 30));
                }
                case "history": {
                    Args a = Args.parse(command, rest, Set.of("-n"), Set.of("--json"), 1);
                    return new HistoryCommand(settings(a), out, err).run(name(a), a.count("-n", 50), a.has("--json"));
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

    /** The service named on the command line, checked against the naming rule; null when none is named. */
    private static String name(Args a) throws UsageException {
        String n = a.positional(0);
        if (n == null) return null;
        String why = io.warden.config.ServiceName.problem(n);
        if (why != null) throw new UsageException(why);
        return n;
    }

    private static Settings settings(Args a) {
        return Settings.resolve(System.getenv(), a.settings());
    }

    private static int daemon(Args a) {
        return new io.warden.daemon.Daemon(settings(a)).run();
    }
}

package io.warden.cli;

import io.warden.text.PrintableText;
import io.warden.config.Settings;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Entry point of {@code warden}: picks the command; the daemon's classes load only for {@code warden daemon}. */
public final class Main {
    static final String USAGE = Usage.SUMMARY;

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
                case "daemon": {
                    Args a = Args.parse(command, rest, Set.of(), Set.of());
                    return a.help() ? help(out, command) : daemon(a);
                }
                case "status": {
                    Args a = Args.parse(command, rest, Set.of("--timeout"), Set.of("--json"), 1);
                    if (a.help()) return help(out, command);
                    return new StatusCommand(settings(a), out, err).status(name(a), a.has("--json"),
                            a.seconds("--timeout", StatusCommand.DEFAULT_STATUS_TIMEOUT));
                }
                case "list": {
                    Args a = Args.parse(command, rest, Set.of("--timeout"), Set.of("--json"));
                    if (a.help()) return help(out, command);
                    return new StatusCommand(settings(a), out, err).list(a.has("--json"),
                            a.seconds("--timeout", StatusCommand.DEFAULT_STATUS_TIMEOUT));
                }
                case "check": {
                    Args a = Args.parse(command, rest, Set.of("--timeout"), Set.of(), 1);
                    if (a.help()) return help(out, command);
                    return new StatusCommand(settings(a), out, err)
                            .check(name(a), a.seconds("--timeout", StatusCommand.DEFAULT_CHECK_TIMEOUT));
                }
                case "start":
                case "stop":
                case "restart": {
                    Args a = Args.parse(command, rest, Set.of("--timeout", "--reason"), Set.of(), 1);
                    if (a.help()) return help(out, command);
                    double timeout = a.seconds("--timeout", ControlCommand.DEFAULT_TIMEOUT);
                    String reason = a.printable("--reason");
                    return new ControlCommand(settings(a), out, err).run(command, name(a), timeout, reason);
                }
                case "remove": {
                    Args a = Args.parse(command, rest, Set.of("--timeout"), Set.of(), 1);
                    if (a.help()) return help(out, command);
                    if (name(a) == null) throw new UsageException("remove needs an instance name (NAME@INSTANCE)");
                    return new ControlCommand(settings(a), out, err)
                            .remove(name(a), a.seconds("--timeout", ControlCommand.DEFAULT_TIMEOUT));
                }
                case "history": {
                    Args a = Args.parse(command, rest, Set.of("-n", "--timeout"), Set.of("--json"), 1);
                    if (a.help()) return help(out, command);
                    return new HistoryCommand(settings(a), out, err).run(name(a),
                            a.count("-n", HistoryCommand.DEFAULT_COUNT), a.has("--json"),
                            a.seconds("--timeout", HistoryCommand.DEFAULT_TIMEOUT));
                }
                case "watch": {
                    Args a = Args.parse(command, rest, Set.of("--timeout"), Set.of("--json"), 1);
                    if (a.help()) return help(out, command);
                    return new WatchCommand(settings(a), out, err).run(name(a), a.has("--json"),
                            a.seconds("--timeout", WatchCommand.DEFAULT_TIMEOUT));
                }
                case "metrics": {
                    Args a = Args.parse(command, rest, Set.of("--timeout"), Set.of());
                    if (a.help()) return help(out, command);
                    return new MetricsCommand(settings(a), out, err)
                            .run(a.seconds("--timeout", MetricsCommand.DEFAULT_TIMEOUT));
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
            // the message may quote what the user typed, control characters included
            err.println("warden: " + PrintableText.escape(e.getMessage()));
            if (e.showUsage()) err.print(Usage.of(command));
            return ExitCode.USAGE;
        } catch (Settings.ConfigException e) {
            err.println("warden: " + PrintableText.escape(e.getMessage()));
            return ExitCode.USAGE;
        }
    }

    private static int help(PrintStream out, String command) {
        out.print(Usage.of(command));
        return ExitCode.OK;
    }

    /** The service named on the command line, checked against the naming rule; null when none is named. */
    private static String name(Args a) throws UsageException {
        String n = a.positional(0);
        if (n == null) return null;
        String why = io.warden.state.ServiceName.problem(n);
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

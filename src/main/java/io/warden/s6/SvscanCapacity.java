package io.warden.s6;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many service directories the s6-svscan serving a scandir supervises at most. Past that number s6-svscan logs
 * "too many services" and never starts a supervisor for the rest: a service warden installs there is recorded but
 * never runs. The number is s6-svscan's {@code -C services_max} (s6 2.13 and later) or {@code -c max} (every
 * version), else its version's default. Measured (docs/PERFORMANCE.md, "5,000 services"): Debian's s6 2.11.3.2
 * holds 500, and {@code -c N} holds N; s6 2.13.1.0 (s6-overlay 3.2.0.x) and 2.15.0.0 (s6-overlay 3.2.3.x) hold
 * 1000, {@code -C N} holds N, and 2.13's {@code -c N} holds more than N (taken as N: a bound never too high).
 *
 * @param pid    the s6-svscan's pid
 * @param max    service directories it holds at most
 * @param source where {@code max} comes from, for a person: {@code -C 6000}, or the default of its version
 */
public record SvscanCapacity(long pid, int max, String source) {
    /** s6-svscan's default before s6 2.13 ({@code -c}), and of a version that cannot be told (the smaller one). */
    public static final int OLD_DEFAULT = 500;
    /** s6-svscan's default from s6 2.13 ({@code -C}). */
    public static final int NEW_DEFAULT = 1000;
    /** s6's options that take an argument, as skalibs' getopt reads them ({@code -d4}, {@code -c 600}). */
    private static final String WITH_ARGUMENT = "cCLtdX";
    private static final Pattern VERSION = Pattern.compile("/s6-(\\d+)\\.(\\d+)\\.[0-9.]+/");

    /**
     * The capacity of the s6-svscan serving {@code scandir} (pid 1 under s6-overlay), or null when none serves it
     * or its command line cannot be read.
     */
    public static SvscanCapacity of(ProcessTable procs, SupervisorKind kind, Path scandir) {
        long pid = kind == SupervisorKind.S6_OVERLAY ? 1 : kind == SupervisorKind.S6 ? procs.find("s6-svscan", scandir) : 0;
        if (pid == 0) return null;
        List<String> argv = procs.commandLine(pid);
        if (argv.isEmpty()) return null;
        return parse(pid, argv, procs.executable(pid));
    }

    /** From s6-svscan's argv (argv[0] first) and the file it runs (empty when unknown). */
    static SvscanCapacity parse(long pid, List<String> argv, String executable) {
        String given = null;
        char option = 0;
        for (int i = 1; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("--") || !a.startsWith("-") || a.length() == 1) break;
            for (int k = 1; k < a.length(); k++) {
                char o = a.charAt(k);
                if (WITH_ARGUMENT.indexOf(o) < 0) continue;
                String value = k + 1 < a.length() ? a.substring(k + 1) : i + 1 < argv.size() ? argv.get(++i) : null;
                if (o == 'c' || o == 'C') {
                    given = value;
                    option = o;
                }
                break;
            }
        }
        if (given != null) {
            try {
                int n = Integer.parseInt(given);
                if (n > 0) return new SvscanCapacity(pid, n, "-" + option + " " + n);
            } catch (NumberFormatException e) {
                // s6-svscan itself refuses such a number and does not start: then no other is running it either
            }
        }
        int[] v = version(executable);
        if (v == null) {
            return new SvscanCapacity(pid, OLD_DEFAULT, "the default of an s6 whose version cannot be told ("
                    + OLD_DEFAULT + " before s6 2.13, " + NEW_DEFAULT + " from 2.13: the smaller is assumed)");
        }
        boolean fromNew = v[0] > 2 || (v[0] == 2 && v[1] >= 13);
        return new SvscanCapacity(pid, fromNew ? NEW_DEFAULT : OLD_DEFAULT,
                "the default of s6 " + v[0] + "." + v[1] + " (no -C or -c given)");
    }

    /** The major and minor version in a path such as {@code /package/admin/s6-2.15.0.0/command/s6-svscan}. */
    private static int[] version(String executable) {
        Matcher m = VERSION.matcher(executable);
        if (!m.find()) return null;
        return new int[]{Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }
}

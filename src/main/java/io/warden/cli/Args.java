package io.warden.cli;

import io.warden.text.PrintableText;
import io.warden.config.Setting;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parsed command line: one command, its own options (from a fixed list per command) and the configuration
 * flags every command accepts. {@code --name value} and {@code --name=value} are both accepted. {@code --help} or
 * {@code -h} in an option's place (not as a value: {@code --reason -h} is a reason) asks for the command's usage.
 */
final class Args {
    private final String command;
    private final Map<String, String> options;
    private final Map<Setting, String> settings;
    private final boolean help;
    private final List<String> positional;

    private Args(String command, Map<String, String> options, Map<Setting, String> settings, boolean help,
                 List<String> positional) {
        this.command = command;
        this.options = options;
        this.settings = settings;
        this.help = help;
        this.positional = positional;
    }

    /**
     * @param valued   options of this command that take a value
     * @param switches options of this command that take none
     */
    public static Args parse(String command, List<String> rest, Set<String> valued, Set<String> switches)
            throws UsageException {
        return parse(command, rest, valued, switches, 0);
    }

    /** As above, with up to {@code maxPositional} plain arguments (a service name). */
    public static Args parse(String command, List<String> rest, Set<String> valued, Set<String> switches,
                             int maxPositional) throws UsageException {
        Map<String, String> options = new HashMap<>();
        Map<Setting, String> settings = new EnumMap<>(Setting.class);
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < rest.size(); i++) {
            String a = rest.get(i);
            if (a.equals("--help") || a.equals("-h")) return new Args(command, Map.of(), Map.of(), true, List.of());
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            Setting s = Setting.byFlag(name);
            if (switches.contains(name)) {
                if (value != null) throw new UsageException(name + " takes no value");
                options.put(name, "true");
            } else if (valued.contains(name) || s != null) {
                if (value == null) {
                    if (i + 1 >= rest.size()) throw new UsageException(name + " needs a value");
                    value = rest.get(++i);
                }
                if (s != null) settings.put(s, value);
                else options.put(name, value);
            } else if (a.startsWith("-")) {
                throw new UsageException("unknown option '" + a + "' for '" + command + "'");
            } else {
                positional.add(a);
            }
        }
        if (positional.size() > maxPositional) {
            throw new UsageException("unexpected argument '" + positional.get(maxPositional) + "' for '" + command + "'");
        }
        return new Args(command, options, settings, false, positional);
    }

    /** The {@code i}-th plain argument, or null. */
    public String positional(int i) {
        return i < positional.size() ? positional.get(i) : null;
    }

    /** Whether the user asked for this command's usage (nothing else is then parsed or done). */
    public boolean help() {
        return help;
    }

    public String command() {
        return command;
    }

    public boolean has(String option) {
        return options.containsKey(option);
    }

    public String get(String option) {
        return options.get(option);
    }

    public Map<Setting, String> settings() {
        return settings;
    }

    public double seconds(String option, double dflt) throws UsageException {
        String v = options.get(option);
        if (v == null) return dflt;
        try {
            double d = Double.parseDouble(v);
            if (!(d > 0 && d <= 86400)) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            throw UsageException.badValue(option + " must be seconds between 0 and 86400, not '" + v + "'");
        }
    }

    /** A text value a user gives: refused when it holds a control character (the rule of {@link PrintableText}). */
    public String printable(String option) throws UsageException {
        String v = options.get(option);
        if (v == null) return null;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!PrintableText.isPrintable(String.valueOf(c))) {
                throw UsageException.badValue(option + " must be printable text, but character " + (i + 1)
                        + " is the control character " + String.format("U+%04X", (int) c));
            }
        }
        return v;
    }

    public int count(String option, int dflt) throws UsageException {
        String v = options.get(option);
        if (v == null) return dflt;
        try {
            int n = Integer.parseInt(v);
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw UsageException.badValue(option + " must be a non-negative integer, not '" + v + "'");
        }
    }
}

package io.warden.metrics;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Prometheus's text exposition format (version 0.0.4): each family once, its {@code # HELP} and {@code # TYPE}
 * lines first, then its samples. Label values are escaped as the format says (backslash, double quote, newline);
 * names are checked against the format's rule, so a mistake here fails the tests instead of a scrape.
 */
public final class Exposition {
    /** The HTTP Content-Type of this format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** A metric family's type. */
    public enum Type { COUNTER, GAUGE;

        String wire() {
            return name().toLowerCase();
        }
    }

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final StringBuilder out = new StringBuilder(4096);
    private final Set<String> families = new HashSet<>();
    private String current;

    /** Starts a family; its samples follow. A counter's name ends in {@code _total}, as the conventions say. */
    public Exposition family(String name, Type type, String help) {
        if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("bad metric name " + name);
        if (type == Type.COUNTER != name.endsWith("_total")) {
            throw new IllegalArgumentException("a counter's name, and only a counter's, ends in _total: " + name);
        }
        if (!families.add(name)) throw new IllegalArgumentException("metric family " + name + " written twice");
        current = name;
        out.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type.wire()).append('\n');
        return this;
    }

    /** A sample of the current family; {@code labels} alternate name and value. */
    public Exposition sample(double value, String... labels) {
        if (current == null) throw new IllegalStateException("sample before any family");
        if (labels.length % 2 != 0) throw new IllegalArgumentException("labels come as name, value pairs");
        out.append(current);
        if (labels.length > 0) {
            out.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                if (!LABEL.matcher(labels[i]).matches() || labels[i].startsWith("__")) {
                    throw new IllegalArgumentException("bad label name " + labels[i]);
                }
                if (i > 0) out.append(',');
                out.append(labels[i]).append("=\"").append(escapeLabel(labels[i + 1])).append('"');
            }
            out.append('}');
        }
        out.append(' ').append(number(value)).append('\n');
        return this;
    }

    public String text() {
        return out.toString();
    }

    static String number(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }

    static String escapeLabel(String s) {
        if (s == null) return "";
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') sb.append("\\\\");
            else if (c == '"') sb.append("\\\"");
            else if (c == '\n') sb.append("\\n");
            // the format has no escape for the other control characters, and a raw ESC would reach the terminal of
            // whoever reads warden metrics: written as a backslash, u and four hex digits (the backslash escaped, as the format says)
            else if (c <= 0x1F || (c >= 0x7F && c <= 0x9F)) sb.append(String.format("\\\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.toString();
    }

    private static String escapeHelp(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n");
    }
}

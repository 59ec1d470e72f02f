package io.warden.config;

import io.warden.state.ServiceName;
import io.warden.state.IntentState;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/** Resolved configuration: a flag wins over its environment variable, which wins over the default. */
public final class Settings {
    private final Map<Setting, String> values;

    private Settings(Map<Setting, String> values) {
        this.values = values;
    }

    public static Settings resolve(Map<String, String> env, Map<Setting, String> flags) {
        Map<Setting, String> v = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            String value = flags.get(s);
            if (value == null) value = env.get(s.env());
            // an empty name is a mistake, not a wish for the default (a typo'd compose file must not manage
            // another service); for the other settings empty has always meant the default
            if (value != null && value.isEmpty() && s == Setting.SERVICE) {
                throw new ConfigException(ServiceName.problem(s.env(), value));
            }
            if (value == null || value.isEmpty()) value = s.defaultValue();
            v.put(s, value);
        }
        Settings settings = new Settings(v);
        settings.validate();
        return settings;
    }

    private void validate() {
        defaultIntent();
        signalWindowMillis();
        backoffMaxMillis();
        journalMaxBytes();
        maxServices();
        notifyFd();
        metricsListen();
        hermesHome();
        // shown by status, the journal, the log and the metrics' warden_info label: text for terminals and scrapers
        if (!io.warden.text.PrintableText.isPrintable(get(Setting.IMAGE_VERSION))) {
            throw new ConfigException(Setting.IMAGE_VERSION.env() + " holds a control character: '"
                    + io.warden.text.PrintableText.escape(get(Setting.IMAGE_VERSION)) + "'");
        }
        s6rcSelection();
        String problem = ServiceName.problem(Setting.SERVICE.env(), get(Setting.SERVICE));
        if (problem != null) throw new ConfigException(problem);
    }

    public String get(Setting s) {
        return values.get(s);
    }

    public Path path(Setting s) {
        return Path.of(values.get(s));
    }

    /**
     * Where {@code GET /metrics} is served, or null when {@code WARDEN_METRICS_LISTEN} is unset. The address is
     * not resolved here: a host name is looked up when the daemon binds.
     */
    public java.net.InetSocketAddress metricsListen() {
        String v = get(Setting.METRICS_LISTEN);
        if (v.isEmpty()) return null;
        int colon = v.lastIndexOf(':');
        String host = colon > 0 ? v.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port = -1;
        try {
            if (colon > 0) port = Integer.parseInt(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw new ConfigException(Setting.METRICS_LISTEN.env() + " must be HOST:PORT (such as 127.0.0.1:9464 or "
                    + "0.0.0.0:9464), not '" + v + "'");
        }
        return java.net.InetSocketAddress.createUnresolved(host, port);
    }

    public String service() {
        return get(Setting.SERVICE);
    }

    /** One-service mode: {@code WARDEN_TEMPLATE} is set, so {@code WARDEN_TEMPLATES} is not read. */
    public boolean oneServiceMode() {
        return !get(Setting.TEMPLATE).isEmpty();
    }

    public IntentState defaultIntent() {
        try {
            return IntentState.fromWire(get(Setting.DEFAULT_INTENT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(Setting.DEFAULT_INTENT.env() + ": " + e.getMessage());
        }
    }

    public String controlGroup() {
        String g = get(Setting.CONTROL_GROUP);
        return g.isEmpty() ? null : g;
    }

    public Integer notifyFd() {
        String s = get(Setting.NOTIFY_FD);
        if (s.isEmpty()) return null;
        int fd = positiveInt(Setting.NOTIFY_FD, s);
        if (fd < 3) throw new ConfigException(Setting.NOTIFY_FD.env() + " must be 3 or more, not " + fd);
        return fd;
    }

    /**
     * The Hermes home to import first intents from ({@code WARDEN_IMPORT=hermes:<HERMES_HOME>}), or null when no
     * import is asked for. Only the {@code hermes:} kind exists; the path must be absolute.
     */
    public Path hermesHome() {
        String v = get(Setting.IMPORT);
        if (v.isEmpty()) return null;
        if (!v.startsWith("hermes:") || !v.substring("hermes:".length()).startsWith("/")) {
            throw new ConfigException(Setting.IMPORT.env() + " must be hermes:<absolute HERMES_HOME path>, not '"
                    + io.warden.text.PrintableText.escape(v) + "'");
        }
        return Path.of(v.substring("hermes:".length())).normalize();
    }

    /**
     * {@code WARDEN_S6RC}: null for {@code all} (every longrun of the boot bundles), an empty set for {@code off},
     * else the names listed. A name against the naming rule is a configuration error.
     */
    public java.util.Set<String> s6rcSelection() {
        String v = get(Setting.S6RC).strip();
        if (v.equals("all")) return null;
        if (v.equals("off")) return java.util.Set.of();
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (String n : v.split("\\s+")) {
            String why = ServiceName.problem(n);
            if (why != null || n.equals("all") || n.equals("off")) {
                throw new ConfigException(Setting.S6RC.env() + " must be all, off or service names, not '"
                        + io.warden.text.PrintableText.escape(v) + "'" + (why == null ? "" : ": " + why));
            }
            names.add(n);
        }
        return names;
    }

    public long signalWindowMillis() {
        String s = get(Setting.SIGNAL_WINDOW);
        // plain decimal only: Double.parseDouble also takes NaN, Infinity, hex and exponents, and NaN compares
        // false against every bound (it used to pass as a window of 0)
        try {
            if (!s.matches("[0-9]{1,4}(\\.[0-9]{1,3})?")) throw new NumberFormatException();
            double secs = Double.parseDouble(s);
            if (!(secs >= 0 && secs <= 3600)) throw new NumberFormatException();
            return Math.round(secs * 1000);
        } catch (NumberFormatException e) {
            throw new ConfigException(Setting.SIGNAL_WINDOW.env() + " must be seconds between 0 and 3600, not '" + s + "'");
        }
    }

    public long backoffMaxMillis() {
        int secs = positiveInt(Setting.BACKOFF_MAX, get(Setting.BACKOFF_MAX));
        if (secs < 1 || secs > 3600) {
            throw new ConfigException(Setting.BACKOFF_MAX.env() + " must be seconds between 1 and 3600, not " + secs);
        }
        return secs * 1000L;
    }

    public long journalMaxBytes() {
        long n = positiveInt(Setting.JOURNAL_MAX_BYTES, get(Setting.JOURNAL_MAX_BYTES));
        if (n < 4096) throw new ConfigException(Setting.JOURNAL_MAX_BYTES.env() + " must be at least 4096");
        return n;
    }

    /** Upper bound of {@code WARDEN_MAX_SERVICES}: ten times what was measured, so a typo'd extra digit is caught. */
    public static final int MAX_SERVICES_CEILING = 50_000;

    /** {@code WARDEN_MAX_SERVICES}: at least 1 (warden keeps its default service), at most {@link #MAX_SERVICES_CEILING}. */
    public int maxServices() {
        int n = positiveInt(Setting.MAX_SERVICES, get(Setting.MAX_SERVICES));
        if (n < 1 || n > MAX_SERVICES_CEILING) {
            throw new ConfigException(Setting.MAX_SERVICES.env() + " must be between 1 and " + MAX_SERVICES_CEILING
                    + ", not " + n);
        }
        return n;
    }

    private static int positiveInt(Setting s, String v) {
        try {
            int n = Integer.parseInt(v);
            if (n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(s.env() + " must be a non-negative integer, not '" + v + "'");
        }
    }

    /** A setting with a value warden cannot use; the message names the variable. */
    public static final class ConfigException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ConfigException(String message) {
            super(message);
        }
    }
}

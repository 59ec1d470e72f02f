package io.warden.config;

/** One configuration knob: its command-line flag, its environment variable and its default. */
public enum Setting {
    STATE_DIR("--state-dir", "WARDEN_STATE_DIR", "/var/lib/warden"),
    SOCKET("--socket", "WARDEN_SOCKET", "/run/warden/warden.sock"),
    SCANDIR("--scandir", "WARDEN_SCANDIR", "/run/service"),
    SERVICE("--service", "WARDEN_SERVICE", "gateway"),
    /** Set: one-service mode, exactly {@link #SERVICE} from this template (round 1); unset: {@link #TEMPLATES}. */
    TEMPLATE("--template", "WARDEN_TEMPLATE", ""),
    /** Every subdirectory NAME is a service warden keeps, NAME@ an instance template. */
    TEMPLATES("--templates", "WARDEN_TEMPLATES", "/etc/warden/services"),
    DEFAULT_INTENT("--default-intent", "WARDEN_DEFAULT_INTENT", "up"),
    CONTROL_GROUP("--control-group", "WARDEN_CONTROL_GROUP", ""),
    NOTIFY_FD("--notify-fd", "WARDEN_NOTIFY_FD", ""),
    /** Seconds a gateway end waits for warden's own signal before it counts as a crash (the rules' 5 s). */
    SIGNAL_WINDOW("--signal-window", "WARDEN_SIGNAL_WINDOW", "5"),
    /** Longest restart hold of a crash-looping gateway, in seconds. */
    BACKOFF_MAX("--backoff-max", "WARDEN_BACKOFF_MAX", "60"),
    JOURNAL_MAX_BYTES("--journal-max-bytes", "WARDEN_JOURNAL_MAX_BYTES", "262144"),
    /**
     * Most services warden keeps (templates, instances, s6-rc longruns, recorded ones): the number measured with the
     * image's heap (docs/PERFORMANCE.md, "5,000 services"); a start that would create one more is refused.
     */
    MAX_SERVICES("--max-services", "WARDEN_MAX_SERVICES", "5000"),
    S6_OVERLAY_BASEDIR("--s6-overlay-basedir", "WARDEN_S6_OVERLAY_BASEDIR", "/run/s6/basedir"),
    /** The image's version, set by the Dockerfile from a build argument; recorded at each boot. */
    IMAGE_VERSION("--image-version", "WARDEN_IMAGE_VERSION", "unknown"),
    /** HOST:PORT serving GET /metrics over HTTP; empty: no TCP port at all. */
    METRICS_LISTEN("--metrics-listen", "WARDEN_METRICS_LISTEN", ""),
    /** s6-overlay's s6-rc source folder: a service warden keeps must not also be defined there (checked at boot). */
    S6_RC_SOURCE("--s6-rc-source", "WARDEN_S6_RC_SOURCE", "/etc/s6-overlay/s6-rc.d"),
    /** s6-overlay's legacy services folder: a service warden keeps must not also be defined there (checked at boot). */
    SERVICES_D("--services-d", "WARDEN_SERVICES_D", "/etc/services.d"),
    /** {@code hermes:<HERMES_HOME>}: each new service's first intent from that Hermes volume (empty: no import). */
    IMPORT("--import", "WARDEN_IMPORT", ""),
    /** Which s6-rc longruns of the boot bundles warden keeps: {@code all}, {@code off}, or blank-separated names. */
    S6RC("--s6rc", "WARDEN_S6RC", "all"),
    /** What warden's stage-2 hook did at this boot (where the source is, what it left out); absent: no hook ran. */
    S6RC_BOOT("--s6rc-boot", "WARDEN_S6RC_BOOT", "/run/warden-s6-rc/boot");

    private final String flag;
    private final String env;
    private final String defaultValue;

    Setting(String flag, String env, String defaultValue) {
        this.flag = flag;
        this.env = env;
        this.defaultValue = defaultValue;
    }

    public String flag() {
        return flag;
    }

    public String env() {
        return env;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public static Setting byFlag(String flag) {
        for (Setting s : values()) {
            if (s.flag.equals(flag)) return s;
        }
        return null;
    }
}

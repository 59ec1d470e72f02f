package io.warden.state;

/** How a run of the gateway ended; the rules that pick one are in the README ("Shutdown causes"). */
public enum ShutdownCause {
    /** A stop or restart through warden. */
    USER,
    /** warden itself got SIGTERM/SIGINT: the container or supervisor is going down. */
    SIGNAL,
    /** The gateway died on its own. */
    CRASH,
    /** Someone cleared s6's want-up behind warden's back ({@code s6-svc -d}). */
    EXTERNAL,
    /** The previous warden run left no record and the gateway it last saw is gone (SIGKILL, OOM, power loss). */
    UNCLEAN;

    public String wire() {
        return name().toLowerCase();
    }

    public static ShutdownCause fromWire(String s) {
        for (ShutdownCause c : values()) {
            if (c.wire().equals(s)) return c;
        }
        throw new IllegalArgumentException("unknown shutdown cause '" + s + "'");
    }
}

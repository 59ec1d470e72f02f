package io.warden.s6;

import java.nio.file.Files;
import java.nio.file.Path;

/** Which supervisor serves warden's scandir, as reported in {@code status}. */
public enum SupervisorKind {
    S6_OVERLAY("s6-overlay"), S6("s6"), NONE("none");

    private final String wire;

    SupervisorKind(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /**
     * {@code s6-overlay} when pid 1 is s6-svscan and {@code /run/s6/basedir} exists; {@code s6} when some
     * s6-svscan serves the scandir; {@code none} otherwise.
     */
    public static SupervisorKind detect(ProcessTable procs, Path scandir, Path overlayBasedir) {
        if ("s6-svscan".equals(procs.initName()) && Files.exists(overlayBasedir)) return S6_OVERLAY;
        if (procs.find("s6-svscan", scandir) != 0) return S6;
        return NONE;
    }
}

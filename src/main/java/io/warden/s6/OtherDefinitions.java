package io.warden.s6;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Other places that define a service warden keeps. Two definitions fight: s6-rc and services.d start theirs at
 * every boot whatever warden's intent, so a user's {@code warden stop} lasts only until the next recreate (and
 * warden stops it again a moment later). Checked once at boot, before warden installs anything.
 */
public final class OtherDefinitions {
    private final Path s6rcSource;
    private final Path servicesD;

    /**
     * @param s6rcSource s6-overlay's s6-rc source folder ({@code /etc/s6-overlay/s6-rc.d})
     * @param servicesD  s6-overlay's legacy services folder ({@code /etc/services.d})
     */
    public OtherDefinitions(Path s6rcSource, Path servicesD) {
        this.s6rcSource = s6rcSource;
        this.servicesD = servicesD;
    }

    /** Each other definition of {@code name}, one phrase each; empty when warden's is the only one. */
    public List<String> of(String name, ServiceDirectory slot) {
        List<String> found = new ArrayList<>();
        Path rc = s6rcSource.resolve(name);
        if (Files.exists(rc, LinkOption.NOFOLLOW_LINKS)) found.add("an s6-rc service " + rc);
        Path legacy = servicesD.resolve(name);
        if (Files.exists(legacy, LinkOption.NOFOLLOW_LINKS)) found.add("a services.d directory " + legacy);
        if (Files.exists(slot.path(), LinkOption.NOFOLLOW_LINKS) && !slot.installedByWarden()) {
            found.add("a slot " + slot.path() + " that warden did not install (no ./" + ServiceDirectory.MARKER
                    + (Files.isSymbolicLink(slot.path()) ? "; a link, as s6-rc makes" : "") + ")");
        }
        return found;
    }
}

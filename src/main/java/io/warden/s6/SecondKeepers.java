package io.warden.s6;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Slots in the scandir that another keeper made for a service warden keeps: Hermes's own reconciler (its
 * {@code gateway-<P>} slots for what warden keeps as {@code gateway@P}, {@code gateway-default} for the root
 * profile's {@code gateway}), a services.d copy, any slot warden and s6-rc did not install whose {@code run} is a
 * kept service's. Two copies of one gateway answer the same messages twice, so each is reported, and the health
 * check fails while both run.
 *
 * <p>The kept services' {@code run} files are read once, when a service becomes kept ({@link #keep}): a scan
 * then reads only the slots of the scandir that are not warden's.
 */
public final class SecondKeepers {
    /** s6-overlay's and s6-rc's own slots: never a copy of a service. */
    private static final Set<String> OWN = Set.of("s6-linux-init-shutdownd", "s6rc-fdholder", "s6rc-oneshot-runner");

    private final Scandir scandir;
    /** Every kept service, with its definition's {@code run} (null when it has none). */
    private final Map<String, byte[]> kept = new HashMap<>();

    public SecondKeepers(Scandir scandir) {
        this.scandir = scandir;
    }

    /** One slot that keeps a copy of {@code service}, and whether it runs now. */
    public record Copy(String service, Path slot, boolean running) {
    }

    /**
     * {@code service} is kept from now on; {@code run} is its definition's {@code run} file (null when it has none),
     * read now. A file that cannot be read is no program to compare (a copy is still found by its slot's name).
     */
    public void keep(String service, Path run) throws IOException {
        kept.put(service, run != null && Files.isRegularFile(run) ? Files.readAllBytes(run) : null);
    }

    /** {@code service} is no longer kept (a removed instance). */
    public void forget(String service) {
        kept.remove(service);
    }

    /** The copies of kept services in the scandir, by the name of their slot. */
    public Map<String, Copy> find() throws IOException {
        Map<String, Copy> found = new TreeMap<>();
        Path dir = scandir.path();
        if (!Files.isDirectory(dir)) return found;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String slot = p.getFileName().toString();
                if (slot.startsWith(".") || kept.containsKey(slot) || OWN.contains(slot)) continue;
                ServiceDirectory sd = new ServiceDirectory(p);
                if (sd.installedByWarden() || !Files.isDirectory(p)) continue;
                String of = byName(slot, kept.keySet());
                if (of == null) of = byProgram(p.resolve("run"));
                if (of != null) found.put(slot, new Copy(of, p, sd.up()));
            }
        }
        return found;
    }

    /** Hermes's slot names: {@code B-default} for {@code B}, {@code B-P} for the instance {@code B@P}. */
    private static String byName(String slot, Set<String> kept) {
        int dash = slot.lastIndexOf('-');
        while (dash > 0) {
            String base = slot.substring(0, dash);
            String rest = slot.substring(dash + 1);
            if (rest.equals("default") && kept.contains(base)) return base;
            if (kept.contains(base + "@" + rest)) return base + "@" + rest;
            dash = slot.lastIndexOf('-', dash - 1);
        }
        return null;
    }

    private String byProgram(Path run) throws IOException {
        if (!Files.isRegularFile(run)) return null;
        byte[] theirs = Files.readAllBytes(run);
        // the first match in name order, as a scan over a sorted table would give it
        String match = null;
        for (Map.Entry<String, byte[]> e : kept.entrySet()) {
            if (e.getValue() != null && Arrays.equals(theirs, e.getValue())
                    && (match == null || e.getKey().compareTo(match) < 0)) {
                match = e.getKey();
            }
        }
        return match;
    }
}

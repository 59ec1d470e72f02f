package io.warden.s6;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Slots in the scandir that another keeper made for a service warden keeps: Hermes's own reconciler (its
 * {@code gateway-<P>} slots for what warden keeps as {@code gateway@P}, {@code gateway-default} for the root
 * profile's {@code gateway}), a services.d copy, any slot warden and s6-rc did not install whose {@code run} is a
 * kept service's. Two copies of one gateway answer the same messages twice, so each is reported, and the health
 * check fails while both run.
 */
public final class SecondKeepers {
    /** s6-overlay's and s6-rc's own slots: never a copy of a service. */
    private static final Set<String> OWN = Set.of("s6-linux-init-shutdownd", "s6rc-fdholder", "s6rc-oneshot-runner");

    private final Scandir scandir;

    public SecondKeepers(Scandir scandir) {
        this.scandir = scandir;
    }

    /** One slot that keeps a copy of {@code service}, and whether it runs now. */
    public record Copy(String service, Path slot, boolean running) {
    }

    /**
     * The copies of kept services in the scandir, by the name of their slot.
     *
     * @param kept each kept service's name and the {@code run} file of its definition (null when it has none)
     */
    public Map<String, Copy> find(Map<String, Path> kept) throws IOException {
        Map<String, Copy> found = new TreeMap<>();
        Path dir = scandir.path();
        if (!Files.isDirectory(dir)) return found;
        Map<String, byte[]> runs = new TreeMap<>();
        for (Map.Entry<String, Path> e : kept.entrySet()) {
            if (e.getValue() != null && Files.isRegularFile(e.getValue())) runs.put(e.getKey(), Files.readAllBytes(e.getValue()));
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String slot = p.getFileName().toString();
                if (slot.startsWith(".") || kept.containsKey(slot) || OWN.contains(slot)) continue;
                ServiceDirectory sd = new ServiceDirectory(p);
                if (sd.installedByWarden() || !Files.isDirectory(p)) continue;
                String of = byName(slot, kept.keySet());
                if (of == null) of = byProgram(p.resolve("run"), runs);
                if (of != null) found.put(slot, new Copy(of, p, running(sd)));
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

    private static String byProgram(Path run, Map<String, byte[]> runs) throws IOException {
        if (!Files.isRegularFile(run)) return null;
        byte[] mine = Files.readAllBytes(run);
        for (Map.Entry<String, byte[]> e : runs.entrySet()) if (Arrays.equals(mine, e.getValue())) return e.getKey();
        return null;
    }

    private static boolean running(ServiceDirectory sd) {
        try {
            SupervisorStatus s = sd.readStatus();
            return s != null && s.up();
        } catch (IOException e) {
            return false;
        }
    }
}

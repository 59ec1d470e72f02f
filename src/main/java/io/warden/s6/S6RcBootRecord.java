package io.warden.s6;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/**
 * What warden's stage-2 hook did at this boot ({@code /run/warden-s6-rc/boot}, written before s6-overlay compiled
 * its database): where the image's s6-rc source and boot bundles are, and which kept services it left out of the
 * boot. One {@code key value...} line each:
 * <pre>
 * format 1
 * source /etc/s6-overlay/s6-rc.d
 * bundles /etc/s6-overlay/user-bundles.d
 * profile
 * kept counter dependent web
 * left-out counter dependent
 * </pre>
 *
 * @param leftOut services s6-rc did not start at this boot (s6-rc counts them down until warden starts them)
 */
public record S6RcBootRecord(Path source, Path bundles, Set<String> kept, Set<String> leftOut) {

    /** The record, or null when no hook ran at this boot (a plain s6 image, or one without S6_STAGE2_HOOK). */
    public static S6RcBootRecord read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
        Path source = null;
        Path bundles = null;
        Set<String> kept = new TreeSet<>();
        Set<String> leftOut = new TreeSet<>();
        boolean known = false;
        for (String line : text.split("\n")) {
            String[] w = line.strip().split("\\s+");
            switch (w[0]) {
                case "format" -> known = w.length == 2 && w[1].equals("1");
                case "source" -> source = w.length > 1 ? Path.of(w[1]) : null;
                case "bundles" -> bundles = w.length > 1 ? Path.of(w[1]) : null;
                case "kept" -> kept.addAll(Arrays.asList(w).subList(1, w.length));
                case "left-out" -> leftOut.addAll(Arrays.asList(w).subList(1, w.length));
                default -> { } // a later hook's lines: what this warden does not need
            }
        }
        if (!known) throw new IOException(file + ": not a stage-2 hook record of format 1");
        return new S6RcBootRecord(source, bundles, kept, leftOut);
    }
}

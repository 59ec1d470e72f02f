package io.warden.s6;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The image's own s6-rc service definitions, in s6-rc's source format, as s6-overlay compiles them: the longruns
 * of the boot bundles {@code user} and {@code user2} (nested bundles expanded) and what each depends on. Read
 * from the image's source, never from warden's runtime profile: the profile's bundles lack the services the
 * stage-2 hook left out, and those are still services warden keeps.
 *
 * <p>Dependencies are s6-rc's: a service's {@code dependencies.d} (a bundle named there means its members) and,
 * for a producer, its consumer ({@code producer-for}), which s6-rc starts first.
 */
public final class S6RcSource {
    /** The bundles s6-overlay brings up at boot. */
    private static final List<String> BOOT_BUNDLES = List.of("user", "user2");
    /** Nested bundles deeper than this are a cycle or a mistake; s6-rc-compile would refuse a cycle anyway. */
    private static final int MAX_DEPTH = 8;

    private final Path source;
    private final Path bundles;
    /** Every definition of the source (longruns, oneshots, bundles) and its type. */
    private final Map<String, String> types;
    /** What each definition needs up first, bundles expanded. */
    private final Map<String, Set<String>> needs;
    private final Set<String> bootLongruns;

    private S6RcSource(Path source, Path bundles, Map<String, String> types, Map<String, Set<String>> needs,
                       Set<String> bootLongruns) {
        this.source = source;
        this.bundles = bundles;
        this.types = types;
        this.needs = needs;
        this.bootLongruns = bootLongruns;
    }

    /** No s6-rc source: a plain s6 image, or {@code WARDEN_S6RC=off}. */
    public static S6RcSource none() {
        return new S6RcSource(null, null, Map.of(), Map.of(), Set.of());
    }

    /**
     * Reads {@code source} (an {@code s6-rc.d} folder) with its boot bundles in {@code bundles} (the same folder
     * in s6-overlay's old layout, {@code user-bundles.d} in the new one). A missing source reads as none.
     */
    public static S6RcSource read(Path source, Path bundles) throws IOException {
        if (source == null || !Files.isDirectory(source)) return none();
        Map<String, String> types = new TreeMap<>();
        readTypes(source, types);
        if (bundles != null && !bundles.equals(source) && Files.isDirectory(bundles)) readTypes(bundles, types);
        S6RcSource partial = new S6RcSource(source, bundles == null ? source : bundles, types, Map.of(), Set.of());
        Map<String, Set<String>> needs = new TreeMap<>();
        for (String name : types.keySet()) {
            if ("bundle".equals(types.get(name))) continue;
            Set<String> n = new TreeSet<>();
            for (String d : entries(partial.definition(name).resolve("dependencies.d"))) {
                n.addAll(partial.atoms(d, 0));
            }
            String consumer = firstLine(partial.definition(name).resolve("producer-for"));
            if (consumer != null) n.add(consumer);
            needs.put(name, n);
        }
        Set<String> boot = new TreeSet<>();
        for (String b : BOOT_BUNDLES) {
            if (!types.containsKey(b)) continue;
            for (String a : partial.atoms(b, 0)) if ("longrun".equals(types.get(a))) boot.add(a);
        }
        return new S6RcSource(source, partial.bundles, types, needs, boot);
    }

    private static void readTypes(Path dir, Map<String, String> types) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) continue;
                String type = firstLine(p.resolve("type"));
                // s6-overlay ships the boot bundles' type itself (3.2.3.x's rc.init even writes it): an image's
                // user/contents.d alone is the bundle
                if (type == null && BOOT_BUNDLES.contains(name) && Files.isDirectory(p.resolve("contents.d"))) {
                    type = "bundle";
                }
                if (type != null) types.putIfAbsent(name, type);
            }
        }
    }

    private Path definition(String name) {
        Path b = bundles.resolve(name);
        return !bundles.equals(source) && Files.isDirectory(b) ? b : source.resolve(name);
    }

    /** The atomic services {@code name} stands for: itself, or a bundle's members through nested bundles. */
    private Set<String> atoms(String name, int depth) throws IOException {
        Set<String> out = new TreeSet<>();
        if (!"bundle".equals(types.get(name))) {
            out.add(name);
            return out;
        }
        if (depth > MAX_DEPTH) return out;
        for (String m : entries(definition(name).resolve("contents.d"))) out.addAll(atoms(m, depth + 1));
        return out;
    }

    private static List<String> entries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!n.startsWith(".")) names.add(n);
            }
        }
        Collections.sort(names);
        return names;
    }

    private static String firstLine(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return null;
        String text = Files.readString(file, StandardCharsets.UTF_8).strip();
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl).strip();
    }

    /** The longruns of the boot bundles, sorted. */
    public Set<String> bootLongruns() {
        return bootLongruns;
    }

    /** The folder a service is defined in, or null when the source does not define it. */
    public Path definitionOf(String name) {
        return types.containsKey(name) ? definition(name) : null;
    }

    public boolean isLongrun(String name) {
        return "longrun".equals(types.get(name));
    }

    /** What {@code name} needs up first, directly. */
    public Set<String> needs(String name) {
        return needs.getOrDefault(name, Set.of());
    }

    /** Everything {@code name} needs up, transitively, dependencies before what needs them; {@code name} last. */
    public List<String> upOrder(String name) {
        List<String> order = new ArrayList<>();
        visitNeeds(name, new LinkedHashSet<>(), order);
        return order;
    }

    private void visitNeeds(String name, Set<String> seen, List<String> order) {
        if (!seen.add(name)) return;
        for (String n : needs(name)) visitNeeds(n, seen, order);
        order.add(name);
    }

    /**
     * Every service of the source that depends on {@code name}, transitively, those that depend on others first
     * (the order to stop them in); {@code name} itself is not included. s6-overlay's own services are not in the
     * image's source, so its {@code legacy-services} (which depends on the whole {@code user} bundle) never is.
     */
    public List<String> dependents(String name) {
        List<String> found = new ArrayList<>();
        Deque<String> todo = new ArrayDeque<>(List.of(name));
        Set<String> seen = new LinkedHashSet<>(List.of(name));
        while (!todo.isEmpty()) {
            String cur = todo.poll();
            for (Map.Entry<String, Set<String>> e : needs.entrySet()) {
                if (e.getValue().contains(cur) && seen.add(e.getKey())) {
                    found.add(e.getKey());
                    todo.add(e.getKey());
                }
            }
        }
        Collections.reverse(found);
        return found;
    }

    /** Where the definitions were read from, for messages. */
    public Path source() {
        return source;
    }
}

package io.warden;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules of the code's shape that the build enforces: packages depend on each other without a cycle (read from
 * the compiled classes, so a fully qualified name counts as much as an import), every package says what it
 * holds in a {@code package-info.java}, and no main source file is over 350 lines.
 */
class ArchitectureTest {
    private static final Path CLASSES = Path.of("target", "classes");
    private static final Path SOURCES = Path.of("src", "main", "java", "io", "warden");
    private static final Pattern EDGE = Pattern.compile("^\\s+(io\\.warden\\.[a-z0-9]+)\\s+->\\s+(io\\.warden\\.[a-z0-9]+)\\s");

    @Test
    void packagesDependOnEachOtherWithoutACycle() {
        Map<String, Set<String>> graph = packageGraph();
        assertTrue(graph.size() > 5, "jdeps saw warden's packages: " + graph.keySet());
        List<String> cycle = findCycle(graph);
        assertEquals(List.of(), cycle, "a package cycle (each depends on the next): " + cycle);
    }

    @Test
    void everyPackageSaysWhatItHolds() throws IOException {
        List<String> missing = new ArrayList<>();
        try (Stream<Path> dirs = Files.walk(SOURCES)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                boolean holdsCode;
                try (Stream<Path> files = Files.list(dir)) {
                    holdsCode = files.anyMatch(f -> f.toString().endsWith(".java"));
                }
                if (holdsCode && !Files.isRegularFile(dir.resolve("package-info.java"))) missing.add(dir.toString());
            }
        }
        assertEquals(List.of(), missing, "packages without a package-info.java");
    }

    /** A file past this holds more than one concept; split it along its seams. */
    private static final int MAX_LINES = 350;

    @Test
    void noMainSourceFileIsOverTheLineLimit() throws IOException {
        Map<String, Long> over = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                long lines;
                try (Stream<String> l = Files.lines(f)) {
                    lines = l.count();
                }
                if (lines > MAX_LINES) over.put(f.toString(), lines);
            }
        }
        assertEquals(Map.of(), over, "main source files over " + MAX_LINES + " lines");
    }

    @Test
    void theCycleFinderFindsACycle() {
        Map<String, Set<String>> g = new TreeMap<>();
        g.put("a", Set.of("b"));
        g.put("b", Set.of("c"));
        g.put("c", Set.of("a"));
        assertEquals(List.of("a", "b", "c", "a"), findCycle(g));
        g.put("c", Set.of());
        assertEquals(List.of(), findCycle(g));
    }

    private static Map<String, Set<String>> packageGraph() {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("the JDK has no jdeps"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = jdeps.run(new PrintWriter(out), new PrintWriter(err),
                "-verbose:package", "-e", "io\\.warden\\..*", CLASSES.toString());
        assertEquals(0, rc, "jdeps failed: " + err);
        Map<String, Set<String>> graph = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            Matcher m = EDGE.matcher(line);
            if (!m.find()) continue;
            graph.computeIfAbsent(m.group(1), k -> new TreeSet<>());
            if (!m.group(1).equals(m.group(2))) graph.get(m.group(1)).add(m.group(2));
        }
        return graph;
    }

    /** A cycle as the packages along it (the first repeated at the end), or an empty list when there is none. */
    static List<String> findCycle(Map<String, Set<String>> graph) {
        Set<String> done = new TreeSet<>();
        for (String start : graph.keySet()) {
            Deque<String> path = new ArrayDeque<>();
            List<String> cycle = walk(start, graph, path, done);
            if (!cycle.isEmpty()) return cycle;
        }
        return List.of();
    }

    private static List<String> walk(String node, Map<String, Set<String>> graph, Deque<String> path, Set<String> done) {
        if (path.contains(node)) {
            List<String> cycle = new ArrayList<>();
            boolean in = false;
            for (String p : (Iterable<String>) path::descendingIterator) {
                if (p.equals(node)) in = true;
                if (in) cycle.add(p);
            }
            cycle.add(node);
            return cycle;
        }
        if (done.contains(node)) return List.of();
        path.push(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            List<String> cycle = walk(next, graph, path, done);
            if (!cycle.isEmpty()) return cycle;
        }
        path.pop();
        done.add(node);
        return List.of();
    }
}

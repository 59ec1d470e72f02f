package io.warden.s6;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The image's s6-rc source as warden reads it: boot longruns, dependencies through bundles, pipelines. */
class S6RcSourceTest {
    @TempDir
    Path dir;

    private Path def(Path base, String name, String type, String... deps) throws IOException {
        Path d = base.resolve(name);
        Files.createDirectories(d);
        Files.writeString(d.resolve("type"), type + "\n");
        for (String dep : deps) {
            Files.createDirectories(d.resolve("dependencies.d"));
            Files.createFile(d.resolve("dependencies.d").resolve(dep));
        }
        return d;
    }

    private void member(Path base, String bundle, String... names) throws IOException {
        Path c = base.resolve(bundle).resolve("contents.d");
        Files.createDirectories(c);
        for (String n : names) Files.createFile(c.resolve(n));
    }

    /** The test image's services, in the old layout (bundles inside s6-rc.d). */
    private Path oldLayout() throws IOException {
        Path src = dir.resolve("s6-rc.d");
        def(src, "counter", "longrun");
        def(src, "dependent", "longrun", "counter");
        Files.writeString(def(src, "web", "longrun").resolve("producer-for"), "web-log\n");
        def(src, "web-log", "longrun", "setup");
        def(src, "setup", "oneshot");
        def(src, "off", "longrun");
        def(src, "warden", "longrun", "base");
        def(src, "user", "bundle");
        member(src, "user", "counter", "dependent", "web", "web-log", "setup", "warden", "extras");
        def(src, "extras", "bundle");
        member(src, "extras", "nested");
        def(src, "nested", "longrun", "extras-deps");
        def(src, "extras-deps", "bundle");
        member(src, "extras-deps", "counter");
        return src;
    }

    @Test
    void bootLongrunsAreThoseOfTheBootBundlesNestedBundlesExpanded() throws IOException {
        Path src = oldLayout();
        S6RcSource s = S6RcSource.read(src, src);
        assertEquals(Set.of("counter", "dependent", "nested", "warden", "web", "web-log"), s.bootLongruns(),
                "longruns of user (through the nested bundle), not the oneshot, not one outside the bundles");
        assertFalse(s.bootLongruns().contains("off"));
    }

    @Test
    void dependenciesGoThroughBundlesAndAProducerNeedsItsConsumer() throws IOException {
        Path src = oldLayout();
        S6RcSource s = S6RcSource.read(src, src);
        assertEquals(Set.of("counter"), s.needs("nested"), "a dependency on a bundle is one on its members");
        assertEquals(List.of("setup", "web-log", "web"), s.upOrder("web"), "the logger (and what it needs) first");
        assertEquals(List.of("counter", "dependent"), s.upOrder("dependent"));
    }

    @Test
    void dependentsAreEverythingThatNeedsTheServiceAndNothingElse() throws IOException {
        Path src = oldLayout();
        S6RcSource s = S6RcSource.read(src, src);
        assertEquals(Set.of("dependent", "nested"), Set.copyOf(s.dependents("counter")));
        assertEquals(List.of("web"), s.dependents("web-log"));
        assertEquals(List.of(), s.dependents("web"));
        assertTrue(s.dependents("setup").containsAll(List.of("web-log", "web")));
        assertEquals("web", s.dependents("setup").get(0), "stop order: what depends on others first");
    }

    @Test
    void theNewLayoutReadsTheBootBundlesFromUserBundlesD() throws IOException {
        Path src = dir.resolve("s6-rc.d");
        def(src, "a", "longrun");
        def(src, "b", "longrun", "a");
        Path bundles = dir.resolve("user-bundles.d");
        def(bundles, "user", "bundle");
        member(bundles, "user", "a");
        def(bundles, "user2", "bundle");
        member(bundles, "user2", "b");
        S6RcSource s = S6RcSource.read(src, bundles);
        assertEquals(Set.of("a", "b"), s.bootLongruns());
        assertEquals(src.resolve("a"), s.definitionOf("a"));
        assertEquals(List.of("b"), s.dependents("a"));
    }

    @Test
    void noSourceIsNoService() throws IOException {
        S6RcSource s = S6RcSource.read(dir.resolve("absent"), dir.resolve("absent"));
        assertTrue(s.bootLongruns().isEmpty());
        assertEquals(List.of(), s.dependents("x"));
    }
}

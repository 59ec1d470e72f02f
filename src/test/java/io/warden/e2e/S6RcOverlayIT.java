package io.warden.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * s6-rc services keep their intent where they are, on the REAL s6-overlay (3.2.0.2 and 3.2.3.0 in the old bundle
 * layout, 3.2.3.2 in the new one; tarballs in {@code WARDEN_S6_OVERLAY_DIST}): an image with its own longruns
 * ({@code docker/build-overlay-image.sh}) adopts warden with the kit, one ENV and a volume, and no service file
 * moved. Each service counts its own starts on a volume, so "never started, not even for a moment" is a count
 * that does not move.
 *
 * <p>Reproduce: {@code mvn -B -o verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=S6RcOverlayIT}
 */
@ExtendWith(ImageFixture.class)
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class S6RcOverlayIT {
    private static final List<String> IMAGES = new ArrayList<>();
    private static final List<String> FIGURES = new ArrayList<>();
    private static final List<String> KEPT = List.of("counter", "dependent", "web", "web-log");

    @TempDir
    static Path tmp;
    private OverlayProject project;

    @BeforeAll
    static void tarballsArePresent() {
        Path dist = dist();
        for (String v : List.of("3.2.0.2", "3.2.3.0", "3.2.3.2")) {
            assertTrue(Files.isRegularFile(dist.resolve(v).resolve("s6-overlay-noarch.tar.xz")),
                    "real s6-overlay " + v + " tarballs are missing in " + dist
                            + ": set WARDEN_S6_OVERLAY_DIST to the folder that holds them (docker/README.md)");
        }
    }

    static Path dist() {
        String env = System.getenv("WARDEN_S6_OVERLAY_DIST");
        Path repo = ImageFixture.images().repo;
        return env != null && !env.isEmpty() ? Path.of(env) : repo.resolve("../shared/s6-overlay").normalize();
    }

    @AfterAll
    static void cleanUp() {
        for (String image : IMAGES) Cmd.docker(Duration.ofSeconds(60), "rmi", "-f", image);
        FIGURES.forEach(f -> System.out.println("[s6-rc] " + f));
    }

    void stopProject() {
        if (project != null) project.down();
        project = null;
    }

    /** Builds the adopting image of one version and layout (and, when asked, a second one: the "upgrade"). */
    static String image(String version, String layout, String variant) {
        String tag = "warden-it-overlay:" + version + "-" + layout + "-" + variant;
        Path repo = ImageFixture.images().repo;
        Cmd.Result r = Cmd.run(repo, Duration.ofMinutes(3), List.of("env", "WARDEN_S6_OVERLAY_DIST=" + dist(),
                repo.resolve("docker/build-overlay-image.sh").toString(), version, layout, tag, variant));
        if (!r.ok()) throw new AssertionError("building " + tag + " failed: " + r);
        IMAGES.add(tag);
        return tag;
    }

    static String upgradeOf(String image) throws Exception {
        Path ctx = Files.createTempDirectory(tmp, "next");
        Files.writeString(ctx.resolve("Dockerfile"), "FROM " + image + "\nLABEL warden.test.generation=2\n");
        String tag = image + "-next";
        Cmd.Result r = Cmd.run(ctx, Duration.ofMinutes(2), List.of("docker", "build", "--network", "none", "-q", "-t", tag, "."));
        if (!r.ok()) throw new AssertionError("building " + tag + " failed: " + r);
        IMAGES.add(tag);
        return tag;
    }

    @SuppressWarnings("unchecked")
    static List<Object> heldBy(Map<String, Object> s) {
        return (List<Object>) s.get("heldBy");
    }

    @SuppressWarnings("unchecked")
    static Object cause(Map<String, Object> s) {
        Map<String, Object> last = (Map<String, Object>) s.get("lastShutdown");
        return last == null ? null : last.get("cause");
    }

    /**
     * Every kind of restart on the production image's version (3.2.0.2); a recreate and a {@code docker kill} on
     * the others (the hook and the boot differ by version, the restart kinds do not).
     */
    @ParameterizedTest(name = "s6-overlay {0}, {1} layout")
    @CsvSource({"3.2.0.2, old, true", "3.2.3.0, old, false", "3.2.3.2, new, false"})
    void aStoppedServiceNeverStartsAgainAndWhatDependsOnItIsHeld(String version, String layout, boolean everyRestart)
            throws Exception {
        String image = image(version, layout, "warden");
        String key = version.replace(".", "") + layout;
        project = OverlayProject.create(tmp, "warden-ov-" + key, image, false, "");
        try {
            project.up();
            Map<String, Map<String, Object>> l = project.awaitObserved("up", KEPT.toArray(String[]::new));
            for (String s : KEPT) assertEquals("s6-rc", l.get(s).get("definedBy"), s + " is shown as an s6-rc service");
            assertFalse(l.containsKey("legacy"), "a services.d service is not one warden keeps");
            assertEquals(1, project.starts("counter"));
            assertEquals(1, project.starts("legacy"), "services.d runs beside, as before");

            Cmd.Result stop = project.exec("warden", "stop", "counter", "--reason", "maintenance").orThrow();
            assertTrue(stop.out().contains("dependent"), "the stop names what it holds: " + stop);
            l = project.await("counter down, dependent held", x -> "down".equals(x.get("counter").get("observed"))
                    && "down".equals(x.get("dependent").get("observed")));
            assertEquals(List.of("counter"), heldBy(l.get("dependent")), "dependent is held by counter");
            assertEquals("up", l.get("dependent").get("desired"), "a held service keeps its own intent");
            assertEquals(true, l.get("dependent").get("healthy"), "a held service is healthy");
            assertEquals(false, l.get("dependent").get("drift"), "held is not drift");
            assertEquals("up", l.get("web").get("observed"), "what does not depend on counter runs on");
            assertEquals(0, project.exec("warden", "check").exit(), "check is healthy with counter stopped");
            assertEquals("true", project.exec("s6-svstat", "-o", "up", "/run/service/legacy").orThrow().out().strip(),
                    "the stop does not take services.d down (a bare s6-rc -d change would)");
            int counter = project.starts("counter");
            int dependent = project.starts("dependent");
            assertEquals(1, project.starts("legacy"));

            String id = project.containerId();
            List<Runnable> restarts = List.of(
                    project::recreate,
                    () -> Cmd.docker(Duration.ofSeconds(60), "restart", project.containerId()).orThrow(),
                    () -> {
                        try {
                            project = project.as(tmp, upgradeOf(image), false, "");
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                        project.up();
                    },
                    () -> {
                        Cmd.docker(Duration.ofSeconds(60), "kill", project.containerId()).orThrow();
                        project.up();
                    });
            List<String> names = List.of("recreate", "docker restart", "upgrade", "docker kill");
            for (int i = 0; i < restarts.size(); i++) {
                if (!everyRestart && (i == 1 || i == 2)) continue;
                long t0 = System.nanoTime();
                restarts.get(i).run();
                l = project.awaitObserved("up", "web", "web-log");
                String what = names.get(i);
                assertEquals("down", l.get("counter").get("desired"), what + ": counter's intent stays down");
                assertEquals("down", l.get("counter").get("observed"), what + ": counter stays down");
                assertEquals(List.of("counter"), heldBy(l.get("dependent")), what + ": dependent still held");
                assertEquals(counter, project.starts("counter"), what + ": counter never started, not even for a moment");
                assertEquals(dependent, project.starts("dependent"), what + ": dependent never started either");
                assertEquals(0, project.exec("warden", "check").exit(), what + ": healthy");
                assertEquals("user", cause(l.get("counter")), what + ": counter's last shutdown stays the user's");
                assertEquals(what.equals("docker kill") ? "unclean" : "signal", cause(l.get("web")),
                        what + ": web's cause");
                FIGURES.add(String.format("%s %s: %s -> services up in %d ms", version, layout, what,
                        (System.nanoTime() - t0) / 1_000_000));
            }
            assertFalse(id.equals(project.containerId()), "the container was recreated");

            project.exec("warden", "start", "counter").orThrow();
            l = project.awaitObserved("up", "counter", "dependent");
            assertEquals(List.of(), heldBy(l.get("dependent")), "dependent is no longer held");
            assertEquals(counter + 1, project.starts("counter"), "warden start starts counter once");
            assertEquals(dependent + 1, project.starts("dependent"), "and brings back what it held");
            assertTrue(project.exec("s6-rc", "-a", "list").orThrow().out().lines().anyMatch("counter"::equals),
                    "s6-rc's live state counts counter up again (the container stop takes it down in order)");

            project.exec("warden", "start", "job@a").orThrow();
            l = project.awaitObserved("up", "job@a");
            assertEquals("instance", l.get("job@a").get("definedBy"), "instances work beside s6-rc services");
            assertEquals(1, project.starts("job@a"));
        } finally {
            stopProject();
        }
    }

    @ParameterizedTest(name = "s6-overlay {0}, {1} layout, read-only root")
    @CsvSource({"3.2.3.2, new"})
    void aReadOnlyRootWithATmpfsOnRunWorksTheSame(String version, String layout) {
        String image = image(version, layout, "warden");
        project = OverlayProject.create(tmp, "warden-ov-ro-" + version.replace(".", ""), image, true, "");
        try {
            int counter = bootThenStopCounter();
            project.recreate();
            Map<String, Map<String, Object>> l = project.awaitObserved("up", "web");
            assertEquals("down", l.get("counter").get("observed"));
            assertEquals(counter, project.starts("counter"), "read-only root: counter never started");
            project.exec("warden", "start", "counter").orThrow();
            project.awaitObserved("up", "counter", "dependent");
            assertEquals(counter + 1, project.starts("counter"));
        } finally {
            stopProject();
        }
    }

    @ParameterizedTest(name = "s6-overlay {0}, {1} layout, without warden and with it")
    @CsvSource({"3.2.3.2, new"})
    void adoptingChangesNothingUntilSomeoneActs(String version, String layout) {
        // the same image without warden starts every service; with warden, every one still starts
        String plain = image(version, layout, "plain");
        project = OverlayProject.create(tmp, "warden-ov-plain-" + version.replace(".", ""), plain, false, "");
        try {
            project.up();
            awaitCounts(List.of("counter", "dependent", "web", "legacy"));
        } finally {
            stopProject();
        }
        project = OverlayProject.create(tmp, "warden-ov-adopt-" + version.replace(".", ""), image(version, layout, "warden"),
                false, "");
        try {
            project.up();
            project.awaitObserved("up", KEPT.toArray(String[]::new));
            awaitCounts(List.of("counter", "dependent", "web", "legacy"));
            String logs = project.logs();
            assertFalse(logs.contains("deprecated"), "the kit never turns an image into the old bundle layout: " + logs);
        } finally {
            stopProject();
        }
    }

    /** Boots the project, waits for every kept service, stops counter (which holds dependent); its start count. */
    private int bootThenStopCounter() {
        project.up();
        project.awaitObserved("up", KEPT.toArray(String[]::new));
        project.exec("warden", "stop", "counter").orThrow();
        project.awaitObserved("down", "counter", "dependent");
        return project.starts("counter");
    }

    private void awaitCounts(List<String> services) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            boolean all = true;
            for (String s : services) all &= project.starts(s) == 1;
            if (all) return;
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not every service started once: " + project.logs());
            }
            ComposeProject.sleep(250);
        }
    }

    @Test
    void anIntentThatCannotBeReadIsNeverReplacedByAGuess() {
        String image = image("3.2.3.0", "old", "warden");
        project = OverlayProject.create(tmp, "warden-ov-unreadable", image, false, "");
        try {
            int counter = bootThenStopCounter();
            int web = project.starts("web");

            // root without the capabilities that bypass file permissions, on a state volume of mode 000
            project = project.as(tmp, image, false, "    cap_drop: [DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER]\n"
                    + "    entrypoint: [\"sh\", \"-c\", \"chmod 000 /var/lib/warden && exec /init\"]\n");
            project.up();
            Map<String, Map<String, Object>> l = project.await("every intent unknown",
                    x -> KEPT.stream().allMatch(s -> x.containsKey(s) && "unknown".equals(x.get(s).get("desired"))));
            assertEquals(web, project.starts("web"), "a service whose intent cannot be read is not started");
            assertEquals(counter, project.starts("counter"), "nor is the stopped one");
            Cmd.Result check = project.exec("warden", "check");
            assertEquals(1, check.exit(), "check is unhealthy: " + check);
            @SuppressWarnings("unchecked")
            Map<String, Object> intent = (Map<String, Object>) l.get("web").get("intent");
            assertTrue(String.valueOf(intent.get("reason")).contains("permission denied"), "the reason is given: " + intent);

            // the volume repaired while the container runs: the recorded intents are applied
            project.exec("chmod", "755", "/var/lib/warden").orThrow();
            l = project.awaitObserved("up", "web", "web-log");
            assertEquals("down", l.get("counter").get("desired"), "the recorded stop is read and kept");
            assertEquals("down", l.get("counter").get("observed"));
            assertEquals(counter, project.starts("counter"), "counter never started");
            assertEquals(web + 1, project.starts("web"), "web started once its intent (up) could be read");
        } finally {
            stopProject();
        }
    }
}

package io.warden.e2e;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import io.warden.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.ToStringConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.utility.DockerImageName;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * warden proven on an image this project did not build for itself (src/test/resources/e2e/foreign): built here
 * from a Dockerfile of its own on the offline bare s6 base, with its own gateway program, one gateway per profile
 * ({@code gateway@<profile>}) and a dashboard whose template holds {@code down}, adding warden only through the
 * kit ({@code COPY --from=warden-kit:offline / /}). Round 1's scenarios run on it: recreates keep intents, a user
 * stop survives recreates and an upgrade, {@code unclean} after a kill, and the warning for a service also
 * defined by s6-rc. Testcontainers builds the images ({@link ImageFromDockerfile}, the legacy builder) and runs
 * each container ({@link GenericContainer}, network none, a named volume); a recreate is a graceful stop through
 * the Docker API (Testcontainers' own stop is a SIGKILL, which is the kill scenario).
 */
@ExtendWith(ImageFixture.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ForeignImageIT {
    private static final String IMAGE = "warden-adopt-foreign:1";
    private static final String NEXT = "warden-adopt-foreign:2";
    private static final String MISTAKE = "warden-adopt-foreign:mistake";
    private static final String VOLUME = "warden-adopt-foreign-state";

    private static Path context;

    @BeforeAll
    static void images() {
        context = ImageFixture.images().repo.resolve("src/test/resources/e2e/foreign");
        removeVolume();
        // the source tree, not target/test-classes: Maven's resource copy drops the scripts' executable bits
        build(IMAGE, "Dockerfile");
        build(NEXT, "Dockerfile.next");
        build(MISTAKE, "Dockerfile.mistake");
    }

    private static void build(String tag, String dockerfile) {
        // withDockerfilePath, not withDockerfile(Path): the latter makes Testcontainers "pre-pull" the FROM images,
        // and its cache of local images, listed before the first build, does not know warden-adopt-foreign:1 yet:
        // it would try a registry this machine cannot reach, and hang
        String built = new ImageFromDockerfile(tag, false)
                .withFileFromPath(".", context)
                .withDockerfilePath(dockerfile)
                .get();
        System.out.println("[foreign] built " + built + " from " + dockerfile);
    }

    @AfterAll
    static void cleanUp() {
        removeVolume();
        for (String tag : List.of(MISTAKE, NEXT, IMAGE)) Cmd.docker(Duration.ofSeconds(60), "rmi", tag);
    }

    private static void removeVolume() {
        Cmd.docker(Duration.ofSeconds(30), "volume", "rm", "-f", VOLUME);
    }

    /** One container of {@code image} on the state volume, started and ready (warden's "ready" log line). */
    private static GenericContainer<?> boot(String image, ToStringConsumer log) {
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(image))
                .withNetworkMode("none")
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.getHostConfig().withBinds(new Bind(VOLUME, new Volume("/var/lib/warden")));
                    cmd.withName("warden-adopt-foreign-" + System.nanoTime());
                })
                .withLogConsumer(log)
                .waitingFor(Wait.forLogMessage(".*ready: socket .*", 1).withStartupTimeout(Duration.ofSeconds(60)));
        c.start();
        return c;
    }

    /** A recreate's first half: SIGTERM to PID 1 and the image's own stop through the Docker API, then removal. */
    private static void stopGracefully(GenericContainer<?> c) {
        DockerClient docker = DockerClientFactory.instance().client();
        docker.stopContainerCmd(c.getContainerId()).withTimeout(10).exec();
        Long code = docker.inspectContainerCmd(c.getContainerId()).exec().getState().getExitCodeLong();
        assertEquals(0L, code, "the image's stop ends with exit 0");
        c.stop();
    }

    private static Container.ExecResult exec(GenericContainer<?> c, String... cmd) throws Exception {
        return c.execInContainer(cmd);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> list(GenericContainer<?> c) throws Exception {
        Container.ExecResult r = exec(c, "warden", "list", "--json");
        assertEquals(0, r.getExitCode(), "warden list: " + r.getStderr());
        Map<String, Map<String, Object>> byName = new TreeMap<>();
        for (Object o : (List<Object>) Json.parse(r.getStdout().trim())) {
            byName.put((String) ((Map<String, Object>) o).get("service"), (Map<String, Object>) o);
        }
        return byName;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> member(Map<String, Object> m, String key) {
        return (Map<String, Object>) m.get(key);
    }

    /** Waits until every named service shows the observed state wanted ({@code up}/{@code down}). */
    private static Map<String, Map<String, Object>> await(GenericContainer<?> c, Map<String, String> observed)
            throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<String, Map<String, Object>> all = Map.of();
        while (System.nanoTime() < end) {
            all = list(c);
            boolean ok = true;
            for (Map.Entry<String, String> e : observed.entrySet()) {
                Map<String, Object> s = all.get(e.getKey());
                ok &= s != null && e.getValue().equals(s.get("observed"));
            }
            if (ok) return all;
            Thread.sleep(200);
        }
        throw new AssertionError("not observed " + observed + " within 30 s: " + Json.write(all));
    }

    private static final Map<String, String> EXPECTED = Map.of("gateway", "up", "gateway@alpha", "up",
            "gateway@beta", "down", "dashboard", "down");

    private static void assertIntents(Map<String, Map<String, Object>> all, String when) {
        assertEquals(List.of("dashboard", "gateway", "gateway@alpha", "gateway@beta"), List.copyOf(all.keySet()), when);
        for (Map.Entry<String, String> e : EXPECTED.entrySet()) {
            assertEquals(e.getValue(), member(all.get(e.getKey()), "intent").get("state"), when + ": " + e.getKey());
        }
        assertEquals("user", member(all.get("gateway@beta"), "intent").get("source"), when + ": the user's stop");
        assertEquals("default", member(all.get("dashboard"), "intent").get("source"), when + ": the template's down");
    }

    @Test
    void round_one_scenarios_on_an_image_that_adopted_warden_through_the_kit() throws Exception {
        ToStringConsumer log = new ToStringConsumer();
        GenericContainer<?> c = boot(IMAGE, log);
        try {
            await(c, Map.of("gateway", "up", "dashboard", "down"));
            assertTrue(log.toUtf8String().contains("relay gateway: hello, serving"), "its own program runs: " + log.toUtf8String());
            assertEquals(0, exec(c, "warden", "start", "gateway@alpha", "--timeout", "20").getExitCode());
            assertEquals(0, exec(c, "warden", "start", "gateway@beta", "--timeout", "20").getExitCode());
            Container.ExecResult stop = exec(c, "warden", "stop", "gateway@beta", "--reason", "profile paused", "--timeout", "20");
            assertEquals(0, stop.getExitCode(), stop.getStderr());
            assertIntents(await(c, EXPECTED), "first boot");
            assertEquals(0, exec(c, "warden-check").getExitCode(), "healthy: every service matches its intent");
            assertEquals("hello", exec(c, "sh", "-c", "cat /run/relay/gateway-alpha >/dev/null && echo hello").getStdout().trim(),
                    "the profile's gateway runs its own program");

            // recreates: every intent kept, the gateways' runs ended by signal
            for (int i = 1; i <= 2; i++) {
                stopGracefully(c);
                c = boot(IMAGE, log = new ToStringConsumer());
                Map<String, Map<String, Object>> all = await(c, EXPECTED);
                assertIntents(all, "recreate " + i);
                assertEquals("signal", member(all.get("gateway@alpha"), "lastShutdown").get("cause"), "recreate " + i);
                assertEquals("signal", member(all.get("gateway"), "lastShutdown").get("cause"), "recreate " + i);
            }

            // an upgrade to a new image: the user's stop still holds
            stopGracefully(c);
            c = boot(NEXT, log = new ToStringConsumer());
            assertNotEquals(ImageFixture.Images.imageId(IMAGE), ImageFixture.Images.imageId(NEXT));
            assertIntents(await(c, EXPECTED), "upgrade");
            assertEquals(0, exec(c, "warden-check").getExitCode());

            // a kill of the whole container (Testcontainers' stop is a SIGKILL): the next boot says unclean
            c.stop();
            c = boot(NEXT, log = new ToStringConsumer());
            Map<String, Map<String, Object>> all = await(c, EXPECTED);
            assertIntents(all, "after the kill");
            assertEquals("unclean", member(all.get("gateway"), "lastShutdown").get("cause"), Json.write(all.get("gateway")));
            assertEquals("unclean", member(all.get("gateway@alpha"), "lastShutdown").get("cause"));

            // the mistake: gateway@alpha also defined as an s6-rc service of the user bundle
            stopGracefully(c);
            c = boot(MISTAKE, log = new ToStringConsumer());
            all = list(c);
            String degraded = String.valueOf(all.get("gateway@alpha").get("degraded"));
            assertTrue(degraded.contains("gateway@alpha is also defined outside warden: an s6-rc service /etc/s6-overlay/s6-rc.d/gateway@alpha"),
                    "status names the other definition: " + degraded);
            assertTrue(log.toUtf8String().contains("Two definitions fight"), "and the log: " + log.toUtf8String());
            Container.ExecResult status = exec(c, "warden", "status", "gateway@alpha");
            assertTrue(status.getStdout().contains("also defined outside warden"), "warden status shows it: " + status.getStdout());
            stopGracefully(c);
        } finally {
            c.stop();
        }
    }
}

package io.warden.e2e;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The images under test, built ONCE per test run (per forked JVM) from the current {@code target/warden.jar}
 * with {@code docker/build-image.sh}, and the cleanup at the end of the run: {@code down -v} of every compose
 * project the tests used, removal of the test-only tag ({@value #NEXT_IMAGE}) and of the {@value #IMAGE} image
 * this run displaced. {@value #IMAGE} and {@code debian:bookworm-slim} are kept (CI reuses them).
 *
 * <p>Never skips: if dockerd does not answer, every test fails with a message saying what to run.
 */
final class ImageFixture implements BeforeAllCallback {
    static final String IMAGE = "warden:offline";
    /**
     * The "upgraded" image: same content, label {@code warden.test.generation=2} and image version
     * {@value #NEXT_VERSION}, so a different image id (and {@value #IMAGE} has version {@code unknown}).
     */
    static final String NEXT_IMAGE = "warden:offline-next";
    static final String NEXT_VERSION = "test-generation-2";
    static final String NEXT_OVERRIDE = "e2e/compose.next.yaml";

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ImageFixture.class);
    private static volatile Images images;

    @Override
    public void beforeAll(ExtensionContext context) {
        images = context.getRoot().getStore(NS).getOrComputeIfAbsent(Images.class, k -> Images.prepare(), Images.class);
    }

    static Images images() {
        Images i = images;
        if (i == null) throw new IllegalStateException("ImageFixture not registered: @ExtendWith(ImageFixture.class)");
        return i;
    }

    /** The run-wide state; closed by JUnit when the whole run ends (root store, AutoCloseable). */
    static final class Images implements AutoCloseable {
        final Path repo;
        final Path jar;
        private final Set<String> projects = new LinkedHashSet<>();
        private String displacedImageId;
        private boolean nextBuilt;

        private Images(Path repo, Path jar) {
            this.repo = repo;
            this.jar = jar;
        }

        static Images prepare() {
            Path jar = Path.of(System.getProperty("warden.jar", "target/warden.jar")).toAbsolutePath().normalize();
            Path repo = jar.getParent().getParent();
            if (!Files.isRegularFile(repo.resolve("compose.yaml"))) repo = Path.of("").toAbsolutePath();
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException("e2e: " + jar + " does not exist: run `mvn -B -o package` (or `mvn verify`) first");
            }
            requireDocker();
            Images im = new Images(repo, jar);
            im.buildMain();
            return im;
        }

        private static void requireDocker() {
            Cmd.Result v;
            try {
                v = Cmd.docker(Duration.ofSeconds(20), "version", "--format", "{{.Server.Version}}");
            } catch (RuntimeException | AssertionError e) {
                throw new IllegalStateException("e2e: the docker CLI failed: " + e.getMessage()
                        + "\nRun docker/prepare-offline.sh (starts dockerd without the default bridge) before the e2e tests.", e);
            }
            if (!v.ok() || v.out().isBlank()) {
                throw new IllegalStateException("e2e: dockerd does not answer (`docker version` exit " + v.exit() + "): "
                        + v.err().strip()
                        + "\nRun docker/prepare-offline.sh (starts dockerd without the default bridge) before the e2e tests.");
            }
            Cmd.Result c = Cmd.docker(Duration.ofSeconds(20), "compose", "version");
            if (!c.ok()) {
                throw new IllegalStateException("e2e: `docker compose` is not installed: " + c
                        + "\nRun docker/prepare-offline.sh (installs the compose plugin) before the e2e tests.");
            }
            System.out.println("[e2e] dockerd " + v.out().strip() + ", " + c.out().strip());
        }

        private void buildMain() {
            displacedImageId = imageId(IMAGE);
            build(IMAGE);
            String now = imageId(IMAGE);
            String label = Cmd.docker(Duration.ofSeconds(20), "image", "inspect", "--format",
                    "{{index .Config.Labels \"warden.jar.sha256\"}}", IMAGE).orThrow().out().strip();
            String sha = sha256(jar);
            if (!sha.equals(label)) {
                throw new IllegalStateException("e2e: " + IMAGE + " carries warden.jar.sha256=" + label + " but " + jar + " is " + sha);
            }
            if (displacedImageId != null && displacedImageId.equals(now)) displacedImageId = null;
        }

        /** Builds {@value #NEXT_IMAGE} the first time it is asked for; removed at the end of the run. */
        synchronized String nextImage() {
            if (!nextBuilt) {
                nextBuilt = true;
                build(NEXT_IMAGE, "--label", "warden.test.generation=2", "--build-arg",
                        "WARDEN_IMAGE_VERSION=" + NEXT_VERSION);
                if (imageId(NEXT_IMAGE).equals(imageId(IMAGE))) {
                    throw new IllegalStateException("e2e: " + NEXT_IMAGE + " has the same image id as " + IMAGE);
                }
            }
            return NEXT_IMAGE;
        }

        private void build(String tag, String... extra) {
            String[] cmd = new String[2 + extra.length];
            cmd[0] = repo.resolve("docker/build-image.sh").toString();
            cmd[1] = tag;
            System.arraycopy(extra, 0, cmd, 2, extra.length);
            Cmd.Result r = Cmd.run(repo, Duration.ofMinutes(5), cmd);
            if (!r.ok()) throw new IllegalStateException("e2e: building " + tag + " failed: " + r);
            System.out.println("[e2e] " + r.out().strip() + " (wall " + r.millis() + " ms)");
        }

        /** The override file that points the service at {@value #NEXT_IMAGE}. */
        Path nextOverride() {
            return override(NEXT_OVERRIDE);
        }

        /** A compose file of the test resources (e2e/...), to put on top of a project. */
        static Path override(String resource) {
            URL url = ImageFixture.class.getClassLoader().getResource(resource);
            if (url == null) throw new IllegalStateException("e2e: test resource " + resource + " missing");
            try {
                return Path.of(url.toURI());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }

        /** A compose project of its own (own volume); leftovers of an aborted earlier run are removed first. */
        synchronized ComposeProject project(String suffix) {
            String name = "warden-e2e-" + suffix;
            projects.add(name);
            ComposeProject p = new ComposeProject(name, repo, null);
            p.down();
            return p;
        }

        static String imageId(String ref) {
            Cmd.Result r = Cmd.docker(Duration.ofSeconds(20), "image", "inspect", "--format", "{{.Id}}", ref);
            return r.ok() ? r.out().strip() : null;
        }

        @Override
        public synchronized void close() {
            for (String name : projects) {
                try {
                    new ComposeProject(name, repo, null).down();
                } catch (RuntimeException | AssertionError e) {
                    System.out.println("[e2e] cleanup: down -v of " + name + " failed: " + e.getMessage());
                }
            }
            if (nextBuilt) rmi(NEXT_IMAGE);
            if (displacedImageId != null) {
                // The warden:offline this run replaced: remove it if nothing tags or uses it any more.
                Cmd.Result tags = Cmd.docker(Duration.ofSeconds(20), "image", "inspect", "--format", "{{len .RepoTags}}", displacedImageId);
                if (tags.ok() && "0".equals(tags.out().strip())) rmi(displacedImageId);
            }
            System.out.println("[e2e] cleanup done: projects " + projects + " removed (down -v)"
                    + (nextBuilt ? ", " + NEXT_IMAGE + " removed" : "") + "; kept " + IMAGE);
        }

        private static void rmi(String ref) {
            Cmd.Result r = Cmd.docker(Duration.ofSeconds(60), "rmi", ref);
            if (!r.ok()) System.out.println("[e2e] cleanup: docker rmi " + ref + " failed: " + r.err().strip());
        }

        private static String sha256(Path file) {
            try (InputStream in = Files.newInputStream(file)) {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
                return HexFormat.of().formatHex(md.digest());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}

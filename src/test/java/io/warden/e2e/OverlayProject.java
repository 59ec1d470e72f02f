package io.warden.e2e;

import io.warden.json.Json;
import io.warden.json.JsonException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One compose project of an image of the kind people already have, on the real s6-overlay
 * ({@code docker/build-overlay-image.sh}): service {@code app}, the state volume and a volume where each service
 * counts its own starts. Its compose file is written here; variants add {@code read_only} and a tmpfs on
 * {@code /run}, or break the state volume.
 */
final class OverlayProject {
    static final Duration TIMEOUT = Duration.ofSeconds(90);
    static final Duration EXEC = Duration.ofSeconds(30);

    final String name;
    private final Path file;

    private OverlayProject(String name, Path file) {
        this.name = name;
        this.file = file;
    }

    /**
     * @param image    the image to run
     * @param readOnly {@code read_only: true} with a tmpfs on {@code /run}
     * @param extra    further lines under the service (already indented by four blanks), or ""
     */
    static OverlayProject create(Path dir, String name, String image, boolean readOnly, String extra) {
        String yaml = "services:\n"
                + "  app:\n"
                + "    image: " + image + "\n"
                + "    pull_policy: never\n"
                + "    network_mode: none\n"
                + "    init: false\n"
                + "    stop_grace_period: 10s\n"
                + (readOnly ? "    read_only: true\n    tmpfs: [\"/run:exec,mode=755\", \"/tmp\"]\n" : "")
                + extra
                + "    volumes:\n"
                + "      - state:/var/lib/warden\n"
                + "      - counts:/var/lib/counts\n"
                + "volumes:\n"
                + "  state:\n"
                + "  counts:\n";
        Path f = dir.resolve(name + ".yaml");
        try {
            Files.writeString(f, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        OverlayProject p = new OverlayProject(name, f);
        p.compose("down", "-v", "--remove-orphans", "--timeout", "5");
        return p;
    }

    /** The same project (same volumes) with another compose file: another image, or other settings. */
    OverlayProject as(Path dir, String image, boolean readOnly, String extra) {
        String yaml;
        try {
            yaml = Files.readString(create(dir, name + "-tmp", image, readOnly, extra).file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path f = dir.resolve(name + "-" + Integer.toHexString((image + readOnly + extra).hashCode()) + ".yaml");
        try {
            Files.writeString(f, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new OverlayProject(name, f);
    }

    Cmd.Result compose(String... args) {
        List<String> cmd = new ArrayList<>(List.of("docker", "compose", "-p", name, "-f", file.toString()));
        cmd.addAll(List.of(args));
        return Cmd.run(file.getParent(), TIMEOUT, cmd);
    }

    void up() {
        compose("up", "-d").orThrow();
    }

    void recreate() {
        compose("up", "-d", "--force-recreate").orThrow();
    }

    void down() {
        compose("down", "-v", "--remove-orphans", "--timeout", "5");
    }

    String containerId() {
        return compose("ps", "-a", "-q", "app").orThrow().out().strip();
    }

    Cmd.Result exec(String... args) {
        List<String> cmd = new ArrayList<>(List.of("docker", "compose", "-p", name, "-f", file.toString(), "exec", "-T", "app"));
        cmd.addAll(List.of(args));
        return Cmd.run(file.getParent(), EXEC, cmd);
    }

    String logs() {
        Cmd.Result r = compose("logs", "--no-color", "--tail", "300");
        return r.out() + r.err();
    }

    /** How many times {@code service} has started, from its own count on the counts volume (0: never). */
    int starts(String service) {
        Cmd.Result r = exec("sh", "-c", "cat /var/lib/counts/" + service + " 2>/dev/null | wc -l");
        return Integer.parseInt(r.orThrow().out().strip());
    }

    /** {@code warden list --json} by service name; null while warden does not answer. */
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> listOrNull() {
        Cmd.Result r = exec("warden", "list", "--json");
        String out = r.out().strip();
        if (!out.startsWith("[")) return null;
        try {
            Map<String, Map<String, Object>> byName = new java.util.TreeMap<>();
            for (Object o : (List<Object>) Json.parse(out)) {
                Map<String, Object> s = (Map<String, Object>) o;
                byName.put(String.valueOf(s.get("service")), s);
            }
            return byName;
        } catch (JsonException e) {
            return null;
        }
    }

    /** Polls {@code warden list --json} until {@code condition} holds (bounded); returns that list. */
    Map<String, Map<String, Object>> await(String what, Predicate<Map<String, Map<String, Object>>> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        Map<String, Map<String, Object>> last = null;
        while (true) {
            Map<String, Map<String, Object>> l = listOrNull();
            if (l != null) {
                last = l;
                if (condition.test(l)) return l;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("[" + name + "] timed out waiting for " + what + "; last list: "
                        + (last == null ? "none (warden never answered)" : Json.write(last)) + "\n" + logs());
            }
            ComposeProject.sleep(250);
        }
    }

    /** Waits until every named service shows {@code observed}. */
    Map<String, Map<String, Object>> awaitObserved(String observed, String... services) {
        return await(String.join(", ", services) + " " + observed, l -> {
            for (String s : services) {
                if (!l.containsKey(s) || !observed.equals(l.get(s).get("observed"))) return false;
            }
            return true;
        });
    }
}

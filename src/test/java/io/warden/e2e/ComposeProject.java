package io.warden.e2e;

import io.warden.json.Json;
import io.warden.json.JsonException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One compose project of the real image: {@code docker compose -p NAME -f compose.yaml -f docker/compose.offline.yaml
 * [-f OVERRIDE]} driven through the CLI, plus the {@code docker} CLI for what compose does not do (kill, restart,
 * stop, inspect). The project name keeps containers and the state volume apart from every other project.
 */
final class ComposeProject {
    static final Duration COMPOSE_TIMEOUT = Duration.ofSeconds(90);
    static final Duration EXEC_TIMEOUT = Duration.ofSeconds(20);
    static final Duration CONVERGE = Duration.ofSeconds(30);

    final String name;
    private final Path repo;
    private final List<Path> overrides;

    ComposeProject(String name, Path repo, Path override) {
        this(name, repo, override == null ? List.of() : List.of(override));
    }

    private ComposeProject(String name, Path repo, List<Path> overrides) {
        this.name = name;
        this.repo = repo;
        this.overrides = List.copyOf(overrides);
    }

    /** The same project (same containers, same volume) with one more compose file on top. */
    ComposeProject withOverride(Path file) {
        List<Path> more = new ArrayList<>(overrides);
        more.add(file);
        return new ComposeProject(name, repo, more);
    }

    Cmd.Result compose(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of("docker", "compose", "-p", name,
                "-f", repo.resolve("compose.yaml").toString(),
                "-f", repo.resolve("docker/compose.offline.yaml").toString()));
        for (Path o : overrides) cmd.addAll(List.of("-f", o.toString()));
        cmd.addAll(List.of(args));
        return Cmd.run(repo, timeout, cmd);
    }

    Cmd.Result compose(String... args) {
        return compose(COMPOSE_TIMEOUT, args);
    }

    void up() {
        compose("up", "-d").orThrow();
    }

    void down() {
        compose("down", "-v", "--remove-orphans", "--timeout", "10").orThrow();
    }

    String logs() {
        Cmd.Result r = compose(Duration.ofSeconds(30), "logs", "--no-color", "--timestamps", "--tail", "200");
        return r.out() + r.err();
    }

    /** The gateway service's container id (also when it is not running), or null. */
    String containerId() {
        String out = compose("ps", "-a", "-q", "gateway").orThrow().out().strip();
        if (out.isEmpty()) return null;
        String[] ids = out.split("\\s+");
        if (ids.length != 1) throw new AssertionError("expected one gateway container in " + name + ", found " + out);
        return ids[0];
    }

    /** {@code docker compose exec -T gateway ARGS} (root, like an operator). */
    Cmd.Result exec(String... args) {
        List<String> a = new ArrayList<>(List.of("exec", "-T", "gateway"));
        a.addAll(List.of(args));
        return compose(EXEC_TIMEOUT, a.toArray(String[]::new));
    }

    /** {@code warden status --json}, parsed; null while warden does not answer with a JSON document. */
    Map<String, Object> statusOrNull() {
        Cmd.Result r = exec("warden", "status", "--json");
        String out = r.out().strip();
        if (!out.startsWith("{")) return null;
        try {
            return Json.parseObject(out);
        } catch (JsonException e) {
            return null;
        }
    }

    Map<String, Object> status() {
        Map<String, Object> s = statusOrNull();
        if (s == null) throw new AssertionError("warden status --json gave no JSON: " + exec("warden", "status", "--json"));
        return s;
    }

    /** Polls {@code warden status --json} until {@code condition} holds (bounded); returns that status. */
    Map<String, Object> awaitStatus(String what, Duration timeout, Predicate<Map<String, Object>> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> last = null;
        while (true) {
            Map<String, Object> s = statusOrNull();
            if (s != null) {
                last = s;
                if (condition.test(s)) return s;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("[" + name + "] timed out after " + timeout.toSeconds() + " s waiting for " + what
                        + "; last status: " + (last == null ? "none (warden never answered)" : Json.write(last)));
            }
            sleep(250);
        }
    }

    Map<String, Object> awaitObserved(String observed) {
        return awaitStatus("observed " + observed, CONVERGE, s -> observed.equals(s.get("observed")));
    }

    /** {@code warden history --json}: the journal, oldest first. */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> history() {
        Cmd.Result r = exec("warden", "history", "--json").orThrow();
        try {
            return (List<Map<String, Object>>) Json.parse(r.out().strip());
        } catch (JsonException e) {
            throw new AssertionError("history --json is not JSON: " + r, e);
        }
    }

    /** {@code docker inspect --format TEMPLATE id}, trimmed. */
    static String inspect(String id, String template) {
        return Cmd.docker(Duration.ofSeconds(20), "inspect", "--format", template, id).orThrow().out().strip();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}

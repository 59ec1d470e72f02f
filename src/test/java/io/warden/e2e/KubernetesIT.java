package io.warden.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What can be proven of docs/KUBERNETES.md without a cluster, on the offline image: the pod-deletion sequence
 * (SIGTERM to PID 1 only, terminationGracePeriodSeconds, SIGKILL, a new container on the same volume) with a grace
 * from the formula and with one too short, and a read-only root filesystem ({@code read_only: true} with a tmpfs
 * on /run).
 */
@ExtendWith(ImageFixture.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class KubernetesIT {

    /** A compose project of this test's own ({@code warden-adopt-*}), leftovers of an aborted run removed first. */
    private static ComposeProject project(String suffix) {
        ComposeProject p = new ComposeProject("warden-adopt-" + suffix, ImageFixture.images().repo, null);
        p.down();
        return p;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> member(Map<String, Object> m, String key) {
        return (Map<String, Object>) m.get(key);
    }

    /**
     * The kubelet's deletion of a pod: SIGTERM to the container's PID 1 alone, then, if it is still running after
     * {@code graceSeconds}, SIGKILL. Returns the container's exit code and whether it needed the SIGKILL.
     */
    private static String[] deletePod(String id, double graceSeconds) {
        Cmd.docker(Duration.ofSeconds(20), "kill", "--signal", "TERM", id).orThrow();
        long end = System.nanoTime() + (long) (graceSeconds * 1e9);
        while (System.nanoTime() < end) {
            if ("false".equals(ComposeProject.inspect(id, "{{.State.Running}}"))) {
                return new String[]{ComposeProject.inspect(id, "{{.State.ExitCode}}"), "exited by itself"};
            }
            ComposeProject.sleep(50);
        }
        Cmd.docker(Duration.ofSeconds(20), "kill", "--signal", "KILL", id);
        return new String[]{ComposeProject.inspect(id, "{{.State.ExitCode}}"), "SIGKILLed at the end of the grace"};
    }

    @Test
    void pod_deletion_with_the_formula_grace_and_with_a_grace_too_short() throws Exception {
        ComposeProject p = project("k8s-delete");
        try {
            p.up();
            long pid = ((Number) p.awaitObserved("up").get("pid")).longValue();
            // terminationGracePeriodSeconds from the formula for this image: warden's timeout-kill 3 s
            // + S6_KILL_GRACETIME 3 s + 1 s of margin = 7 s (docs/KUBERNETES.md)
            String[] first = deletePod(p.containerId(), 7.0);
            System.out.println("[k8s] grace 7 s: exit " + first[0] + ", " + first[1]);
            assertEquals("exited by itself", first[1], "the formula's grace covers the stop");
            assertEquals("0", first[0]);
            p.compose("up", "-d", "--force-recreate").orThrow(); // the StatefulSet's new pod on the same claim
            Map<String, Object> s = p.awaitObserved("up");
            assertNotEquals(pid, ((Number) s.get("pid")).longValue(), "a new container");
            assertEquals("signal", member(s, "lastShutdown").get("cause"), "pod deletion = signal: " + s);
            assertEquals("up", member(s, "intent").get("state"));

            // a user stop, then a grace too short for S6_KILL_GRACETIME: the kubelet's SIGKILL cuts the stop short,
            // and still nothing is lost (warden stops first and records before the services are stopped)
            assertEquals(0, p.exec("warden", "stop", "--reason", "k8s test", "--timeout", "20").exit());
            assertEquals(0, p.exec("warden", "start", "--timeout", "20").exit());
            p.awaitObserved("up");
            String[] second = deletePod(p.containerId(), 1.0);
            System.out.println("[k8s] grace 1 s: exit " + second[0] + ", " + second[1]);
            assertEquals("SIGKILLed at the end of the grace", second[1], "1 s is shorter than the image's stop");
            p.compose("up", "-d", "--force-recreate").orThrow();
            s = p.awaitObserved("up");
            assertEquals("up", member(s, "intent").get("state"), "the intent is on the volume: " + s);
            assertEquals("user", member(s, "intent").get("source"));
            assertEquals("signal", member(s, "lastShutdown").get("cause"),
                    "warden recorded its SIGTERM before the kill: " + s);
        } finally {
            p.down();
        }
    }

    @Test
    void a_read_only_root_filesystem_with_a_tmpfs_on_run() throws Exception {
        ComposeProject p = project("k8s-readonly")
                .withOverride(ImageFixture.Images.override("e2e/read-only.yaml"))
                .withOverride(ImageFixture.Images.override("e2e/fast-stop.yaml"));
        try {
            p.up();
            p.awaitObserved("up");
            assertEquals("true", ComposeProject.inspect(p.containerId(), "{{.HostConfig.ReadonlyRootfs}}"));
            Cmd.Result touch = p.exec("touch", "/etc/warden-adopt-probe");
            assertNotEquals(0, touch.exit(), "the root is read-only: " + touch);
            assertTrue((touch.out() + touch.err()).contains("Read-only file system"), touch.toString());
            assertEquals(0, p.exec("warden-check").exit(), "healthy on a read-only root");
            assertEquals(0, p.exec("warden", "stop", "--timeout", "20").exit());
            p.compose("up", "-d", "--force-recreate").orThrow();
            Map<String, Object> s = p.awaitObserved("down");
            assertEquals("user", member(s, "intent").get("source"), "the stop held across the recreate: " + s);
            assertEquals(0, p.exec("warden-check").exit());
            assertEquals(0, p.exec("warden", "start", "--timeout", "20").exit());
            p.awaitObserved("up");
        } finally {
            p.down();
        }
    }
}

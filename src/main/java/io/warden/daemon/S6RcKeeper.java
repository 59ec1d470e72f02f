package io.warden.daemon;

import io.warden.state.ServiceName;
import io.warden.s6.ControlLetter;
import io.warden.s6.ControlResult;
import io.warden.s6.ProcessTable;
import io.warden.s6.S6RcBootRecord;
import io.warden.s6.S6RcControl;
import io.warden.s6.S6RcSource;
import io.warden.s6.Scandir;
import io.warden.s6.ServiceDirectory;
import io.warden.s6.TemplateCatalog;
import io.warden.state.IntentState;
import org.tinylog.Logger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The image's s6-rc longruns that warden keeps, and what their dependencies mean for warden (DESIGN, "s6-rc
 * services keep their intent where they are"): which services a stopped one holds down, what a start must bring
 * up first, and the bring-up itself, through s6-rc so that its live state stays true. Graph questions are answered
 * on the decision loop; a bring-up waits on s6-rc and runs on its own thread, reporting back through the loop.
 */
final class S6RcKeeper {
    /** s6-rc's own bound for one bring-up (readiness included); a service that misses it is reported. */
    private static final long UP_TIMEOUT_MILLIS = 30_000;
    /** How long a directly restarted dependency is given to show up before the next one is started. */
    private static final long DIRECT_UP_WAIT_MILLIS = 10_000;
    /** How often a dependency without a status watcher is looked at while a bring-up waits for it. */
    private static final long UNWATCHED_RECHECK_MILLIS = 100;

    private final S6RcSource source;
    private final S6RcBootRecord boot;
    private final S6RcControl control;
    private final Scandir scandir;
    private final ProcessTable procs;
    private final ExecutorService worker;
    private final Consumer<Runnable> loop;
    private final TimeSource time;
    /** Notified at every status change the watcher sees, so a waiting bring-up looks again at once. */
    private final Object statusSeen = new Object();
    private final Map<String, TemplateCatalog.Template> kept = new TreeMap<>();
    private final List<String> refused = new ArrayList<>();

    S6RcKeeper(S6RcSource source, S6RcBootRecord boot, Set<String> selection, S6RcControl control, Scandir scandir,
               ProcessTable procs, ExecutorService worker, Consumer<Runnable> loop, TimeSource time) {
        this.source = source;
        this.boot = boot;
        this.control = control;
        this.scandir = scandir;
        this.procs = procs;
        this.worker = worker;
        this.loop = loop;
        this.time = time;
        for (String name : source.bootLongruns()) {
            if (name.equals("warden")) continue;
            if (selection != null && !selection.contains(name)) continue;
            String why = ServiceName.problem(name);
            if (why == null && ServiceName.isInstance(name)) why = "'@' belongs to warden's instances";
            if (why != null) {
                refused.add(name + " (" + why + ")");
                continue;
            }
            kept.put(name, TemplateCatalog.Template.s6rc(name, source.definitionOf(name)));
        }
    }

    /** The kept longruns, by name, as definitions the daemon builds controllers from. */
    Map<String, TemplateCatalog.Template> kept() {
        return kept;
    }

    /** Longruns of the boot bundles left to s6-rc because their names break warden's rule, each with why. */
    List<String> refused() {
        return refused;
    }

    /** Whether a stage-2 hook ran at this boot (without one, s6-rc started every service whatever its intent). */
    boolean hookRan() {
        return boot != null;
    }

    /**
     * The kept services {@code name} depends on (transitively) whose intent is down or unknown: while any is, it
     * stays down, healthy, its own intent unchanged. Empty when nothing holds it.
     */
    List<String> heldBy(String name, Function<String, IntentState> intentOf) {
        if (!kept.containsKey(name)) return List.of();
        List<String> held = new ArrayList<>();
        for (String dep : source.upOrder(name)) {
            if (dep.equals(name) || !kept.containsKey(dep)) continue;
            if (intentOf.apply(dep) != IntentState.UP) held.add(dep);
        }
        return held;
    }

    /** What {@code name} needs up first, transitively, in start order; not {@code name} itself. */
    List<String> needs(String name) {
        List<String> order = new ArrayList<>(source.upOrder(name));
        order.remove(name);
        return order;
    }

    /** Every service of the image's source that depends on {@code name}, transitively, in stop order. */
    List<String> dependents(String name) {
        return source.dependents(name);
    }

    /**
     * Stops a dependent warden does not keep (not selected by {@code WARDEN_S6RC}, or a name against the rule), as
     * s6-rc would have: ./down and {@code d}. Returns true when it was told to stop.
     */
    boolean stopUnkept(String name) {
        if (!source.isLongrun(name)) return false;
        ServiceDirectory d = scandir.service(name);
        if (!d.exists()) return false;
        try {
            d.setDownFile(true);
        } catch (IOException e) {
            Logger.error("{}: cannot create ./down: {}", name, Ledger.describe(e));
        }
        return d.control(ControlLetter.DOWN.toString(), procs).sent();
    }

    /**
     * Brings {@code name} up with what it needs, in s6-rc's order, off the loop (a control that is null means no
     * s6-rc here: each longrun's own supervisor is told, in the same order): a service s6-rc counts as up that
     * is down (warden stopped it) is started directly; one s6-rc counts as down (left out at boot) is brought up by
     * {@code s6-rc -u change}, which also makes its live state true for the container stop. {@code done} gets, on
     * the loop, null on success or what went wrong.
     */
    void bringUp(String name, Consumer<String> done) {
        worker.execute(() -> {
            String failure;
            try {
                failure = upNow(name);
            } catch (IOException | RuntimeException e) {
                failure = e.getMessage();
            }
            String f = failure;
            loop.accept(() -> done.accept(f));
        });
    }

    private String upNow(String name) throws IOException {
        // no s6-rc (plain s6 under an init that installed the longruns itself): s6-rc counts nothing up, and
        // every longrun is started by its own supervisor, in dependency order
        Set<String> active = control == null ? null : control.active();
        for (String s : source.upOrder(name)) {
            boolean longrun = source.isLongrun(s);
            ServiceDirectory d = scandir.service(s);
            if (longrun && d.up()) continue;
            if (!longrun && (active == null || active.contains(s))) continue;
            if (longrun && (active == null || active.contains(s))) {
                d.setDownFile(false);
                ControlResult r = d.control(ControlLetter.UP.toString(), procs);
                if (!r.sent()) return "cannot start " + s + ": " + r.detail();
                awaitUp(d);
                continue;
            }
            S6RcControl.Outcome o = control.up(s, UP_TIMEOUT_MILLIS);
            if (o.exitCode() != 0) {
                return "s6-rc -u change " + s + " exited " + o.exitCode() + (o.output().isEmpty() ? "" : ": " + o.output());
            }
            active.add(s);
        }
        return null;
    }

    /**
     * A service's status changed (the status watcher saw it): a bring-up waiting for a dependency to be up looks
     * again. Called from the watcher's thread.
     */
    void statusChanged() {
        synchronized (statusSeen) {
            statusSeen.notifyAll();
        }
    }

    /**
     * Waits until {@code d} is up or {@value #DIRECT_UP_WAIT_MILLIS} ms passed, woken by {@link #statusChanged}. A
     * dependency warden does not keep has no watcher: it is looked at again every {@value #UNWATCHED_RECHECK_MILLIS}
     * ms until the deadline.
     */
    private void awaitUp(ServiceDirectory d) {
        long until = time.nanos() + DIRECT_UP_WAIT_MILLIS * 1_000_000L;
        synchronized (statusSeen) {
            while (!d.up()) {
                long left = until - time.nanos();
                if (left <= 0) return;
                try {
                    statusSeen.wait(Math.max(1, Math.min(UNWATCHED_RECHECK_MILLIS, left / 1_000_000L)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}

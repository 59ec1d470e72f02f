package io.warden.daemon;

import io.warden.config.Setting;
import io.warden.config.Settings;
import io.warden.event.EventSpine;
import io.warden.s6.OtherDefinitions;
import io.warden.s6.Scandir;
import io.warden.s6.StatusWatcher;
import io.warden.state.RunRecord;
import io.warden.state.StateLock;
import io.warden.state.StateStore;
import org.tinylog.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.function.Consumer;

/**
 * The boot sequence, in its order: the volume and the socket first (a warden that cannot serve records nothing),
 * the definitions and the services, the previous run judged, this run recorded, then the watcher, the socket
 * served and the stop witness started; ready last.
 */
final class Boot {
    private final Outside outside;
    private final FileSystemRoot files;
    private final Settings settings;
    private final StateStore store;
    private final Ledger ledger;
    private final Endpoints endpoints;
    private final Scandir scandir;
    private final ServiceTable services;
    private final ServiceCensus census;
    private final BootJudgement judgement;
    private final SupervisorWatch supervisor;
    private final CopyScan copies;
    private final StatusPublisher publisher;
    private final ContainerStop stop;
    private final IntentChanges changes;
    private final LoopQueue tasks;
    private final Consumer<Runnable> submit;
    private final ThreadPoolExecutor writers;
    private final EventSpine events;
    private final MetricsBook metrics;
    private final Instant startedAt;

    Boot(Outside outside, StateStore store, Ledger ledger, Endpoints endpoints, Scandir scandir,
         ServiceTable services, ServiceCensus census, BootJudgement judgement, SupervisorWatch supervisor,
         CopyScan copies, StatusPublisher publisher, ContainerStop stop, IntentChanges changes, LoopQueue tasks,
         Consumer<Runnable> submit, ThreadPoolExecutor writers, EventSpine events, MetricsBook metrics,
         Instant startedAt) {
        this.outside = outside;
        this.files = outside.files();
        this.settings = files.settings();
        this.store = store;
        this.ledger = ledger;
        this.endpoints = endpoints;
        this.scandir = scandir;
        this.services = services;
        this.census = census;
        this.judgement = judgement;
        this.supervisor = supervisor;
        this.copies = copies;
        this.publisher = publisher;
        this.stop = stop;
        this.changes = changes;
        this.tasks = tasks;
        this.submit = submit;
        this.writers = writers;
        this.events = events;
        this.metrics = metrics;
        this.startedAt = startedAt;
    }

    void run(StatusWatcher.Listener onStatus) throws IOException {
        openVolume();
        // before anything is recorded: a warden that cannot serve writes no boot record and no run record (which
        // the next boot would read as an unclean end), however often s6 retries it
        endpoints.bindSocket(files.path(Setting.SOCKET), () -> tasks.add(stop::onServerFailure));
        Definitions definitions = new Definitions(files);
        S6RcKeeper s6rc = definitions.s6rc(outside.s6rc(), scandir, outside.processes(), submit, outside.time());
        services.definitions(s6rc, definitions.templates(s6rc));
        supervisor.detect();
        for (String gone : scandir.removeLeftovers()) Logger.info("removed {}, left by an earlier remove", gone);
        services.limit(new ServiceLimit(settings.maxServices(), io.warden.s6.SvscanCapacity.of(
                outside.processes().table(), supervisor.kind(), scandir.path()), ServiceLimit.slotsIn(scandir.path())));
        ProfileImport profiles = new ProfileImport(files.resolve(settings.hermesHome()), store.dir(),
                settings.service(), ledger, events, startedAt);
        census.take(settings.oneServiceMode(), settings.defaultIntent(), startedAt, profiles,
                files.path(Setting.TEMPLATES));
        for (String p : services.limitProblems()) ledger.problem(p);
        RunRecord previous = judgement.previousRun();
        judgement.applyBootPlans(previous, new OtherDefinitions(files.path(Setting.S6_RC_SOURCE),
                files.path(Setting.SERVICES_D)));
        copies.scan();
        judgement.saveRun();
        judgement.recordBoot(previous, supervisor.kind());
        publisher.publish();
        writers.prestartAllCoreThreads();
        supervisor.follow();
        startWatching(s6rc, onStatus);
        endpoints.serve(settings.metricsListen(), () -> metrics.render(outside.time().now()));
        if (ledger.writable()) {
            stop.witness(outside.witness().start(store.dir(), scandir.path(), files.path(Setting.SOCKET).getParent()));
        }
        Readiness.notify(settings.notifyFd());
        Logger.info("ready: socket {}, state {}, {} service(s) in {}", files.path(Setting.SOCKET), store.dir(),
                services.size(), scandir.path());
    }

    private void openVolume() throws IOException {
        Path dir = store.dir();
        try {
            store.ensureDirectory();
            endpoints.hold(StateLock.acquire(dir));
            for (String torn : store.removeTornWrites()) {
                Logger.warn("removed {} left in {} by an interrupted write", torn, dir);
            }
        } catch (StateLock.StateLockedException e) {
            throw e;
        } catch (IOException e) {
            ledger.readOnly("state directory " + dir + " is not writable (" + Ledger.describe(e)
                    + "): intents cannot be recorded, start/stop/restart are refused");
        }
    }

    private void startWatching(S6RcKeeper s6rc, StatusWatcher.Listener onStatus) throws IOException {
        StatusWatcher watcher = endpoints.watcher(scandir.path(), (dir, s) -> {
            s6rc.statusChanged();
            onStatus.changed(dir, s);
        }, e -> tasks.add(() -> stop.onInternalFailure("status watcher failure: " + e, DaemonExit.WATCHER_FAILED)));
        for (ServiceController c : services.all()) {
            // one whose template is gone is watched while s6 still has it: it may run, and may be stopped
            if (!c.templateMissing() || c.directory().exists()) watcher.add(c.directory());
        }
        changes.watcher(watcher);
        watcher.start();
    }
}

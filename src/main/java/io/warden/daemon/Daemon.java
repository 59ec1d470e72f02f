package io.warden.daemon;

import io.warden.api.SocketFile;
import io.warden.config.Setting;
import io.warden.config.Settings;
import io.warden.event.EventSpine;
import io.warden.s6.Scandir;
import io.warden.s6.ServiceDirectory;
import io.warden.s6.SupervisorStatus;
import io.warden.state.StateLock;
import io.warden.state.StateStore;
import io.warden.state.Versions;
import org.tinylog.Logger;

import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The sidecar's composition root: builds every part from the settings and the outside effects it is given
 * ({@link Outside}), then boots ({@link Boot}), runs the decision loop ({@link DecisionLoop}) until warden's stop
 * ({@link ContainerStop}), and closes what it opened.
 */
public final class Daemon {
    private static final int WRITER_THREADS = 32;

    private final Outside outside;
    private final TimeSource time;
    private final Ledger ledger;
    private final LoopQueue tasks = new LoopQueue();
    /**
     * Writes the state files of a container stop in parallel: fsyncs issued together share the file system's
     * journal commits. Threads are started at boot, so the signal path starts none.
     */
    private final ThreadPoolExecutor writers;
    private final WardenRun run;
    private final ServiceTable services;
    private final StatusPublisher publisher;
    private final SupervisorWatch supervisor;
    private final ContainerStop stop;
    private final Endpoints endpoints;
    private final Boot boot;
    private final DecisionLoop loop;

    public Daemon(Settings settings) {
        this(settings, Outside.production(settings));
    }

    Daemon(Settings settings, Outside outside) {
        this.outside = outside;
        this.time = outside.time();
        FileSystemRoot files = outside.files();
        Instant startedAt = time.now();
        long wardenPid = ProcessHandle.current().pid();
        String defaultService = settings.service();
        StateStore store = new StateStore(files.path(Setting.STATE_DIR), defaultService, settings.journalMaxBytes());
        Ledger[] journal = new Ledger[1];
        EventSpine events = new EventSpine(time::now, recs -> journal[0].journalRecords(recs));
        this.ledger = journal[0] = new Ledger(store, this::republish, events::emit);
        Versions versions = new Versions(Versions.ofWarden(), settings.get(Setting.IMAGE_VERSION));
        Watchers watchers = new Watchers();
        MetricsBook metrics = new MetricsBook(versions, store.journal());
        events.subscribe(metrics);
        events.subscribe(watchers);
        Scandir scandir = new Scandir(files.path(Setting.SCANDIR));
        this.writers = new ThreadPoolExecutor(WRITER_THREADS, WRITER_THREADS, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "warden-writer");
                    t.setDaemon(true);
                    return t;
                });
        this.run = new WardenRun(ledger, defaultService);
        this.services = new ServiceTable(ledger, run);
        ServiceContext context = new ServiceContext(store, ledger, events, scandir, outside.processes().table(), time,
                settings.signalWindowMillis() * 1_000_000L, settings.backoffMaxMillis(), run::seen, this::submit);
        CopyScan copies = new CopyScan(scandir, ledger, events, time);
        SupervisorWatch supervisor = new SupervisorWatch(outside.processes(), scandir.path(),
                files.path(Setting.S6_OVERLAY_BASEDIR), ledger, tasks::add, this::publish);
        IntentChanges changes = new IntentChanges(services, context, run, ledger, store.dir(), copies, time,
                this::publish);
        Requests requests = new Requests(outside.peers().access(), store.journal(), tasks::add, changes::change,
                defaultService, watchers, metrics);
        this.publisher = new StatusPublisher(services, supervisor, copies, ledger, versions, requests, metrics,
                wardenPid, startedAt);
        this.stop = new ContainerStop(run, services, events, ledger, requests, writers, time, defaultService,
                publisher::publish);
        this.endpoints = new Endpoints(requests, outside.peers(), metrics, watchers);
        ServiceCensus census = new ServiceCensus(services, context, store, ledger, events, copies);
        BootJudgement judgement = new BootJudgement(services, run, store, ledger, events, versions, writers,
                defaultService, wardenPid, startedAt);
        this.boot = new Boot(outside, store, ledger, endpoints, scandir, services, census, judgement, supervisor,
                copies, publisher, stop, changes, tasks, this::submit, writers, events, metrics, startedAt);
        UnreadableRetry unreadable = new UnreadableRetry(services, settings.defaultIntent(), time);
        this.loop = new DecisionLoop(tasks, time, services, run, copies, unreadable, publisher::publish, ledger);
        this.supervisor = supervisor;
    }

    /** Boots, serves until SIGTERM/SIGINT, records the cause and returns the process exit code. */
    public int run() {
        outside.signals().install(sig -> tasks.add(() -> stop.onSignal(sig)));
        try {
            boot.run((dir, s) -> tasks.add(() -> onStatus(dir, s)));
        } catch (StateLock.StateLockedException | SocketFile.SocketInUseException e) {
            Logger.error("refusing to start: {}", e.getMessage());
            failedBoot();
            return DaemonExit.ALREADY_RUNNING;
        } catch (IOException e) {
            // a missing template, an unusable scandir or socket path: the message says which, no trace needed
            Logger.error("cannot start: {}", Ledger.describe(e));
            failedBoot();
            return DaemonExit.STARTUP_FAILED;
        } catch (Settings.ConfigException e) {
            Logger.error("refusing to start: {}", e.getMessage());
            failedBoot();
            return DaemonExit.CONFIG;
        } catch (RuntimeException e) {
            Logger.error(e, "cannot start: {}", e.getMessage());
            failedBoot();
            return DaemonExit.STARTUP_FAILED;
        }
        loop.run();
        loop.drain();
        // for an older warden, which reads causes only there; one killed before this is folded at the next boot
        ledger.fold(run.causesToFold(), writers);
        close();
        Logger.info("warden stopped ({})", run.endedBy());
        return run.exitCode();
    }

    /** A status from s6, on the loop: to its service's controller, then published. */
    private void onStatus(ServiceDirectory dir, SupervisorStatus s) {
        // after warden's stop record nothing is decided: the causes are recorded, the witness follows the runs
        if (run.ending()) return;
        ServiceController c = services.get(dir.path().getFileName().toString());
        // a removed instance's last status may still be queued
        if (c == null || c.directory() != dir) return;
        supervisor.statusSeen();
        c.onStatus(s);
        publisher.publish();
    }

    /** Work handed in from another thread (a process's exit): run on the loop, then publish what changed. */
    private void submit(Runnable work) {
        tasks.add(() -> {
            work.run();
            publisher.publish();
        });
    }

    /** For the parts built before the publisher (a problem, a change): what status shows is published again. */
    private void publish() {
        publisher.publish();
    }

    private void republish() {
        publisher.republish();
    }

    /**
     * A boot that failed after it recorded its run (the socket is bound first, so this is rarer): the run record
     * says it ended, so the next boot does not take it for an unclean end of the services it saw.
     */
    private void failedBoot() {
        run.endFailedBoot(time.now());
        close();
    }

    private void close() {
        endpoints.close();
        writers.shutdownNow();
    }
}

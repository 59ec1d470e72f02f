package io.warden.daemon;

import io.warden.api.ApiServer;
import io.warden.api.ErrorCode;
import io.warden.api.Operation;
import io.warden.api.Peer;
import io.warden.api.PeerIdentity;
import io.warden.api.Protocol;
import io.warden.api.SocketFile;
import io.warden.state.ServiceName;
import io.warden.config.Setting;
import io.warden.config.Settings;
import io.warden.event.Event;
import io.warden.event.EventSpine;
import io.warden.state.Versions;
import io.warden.s6.OtherDefinitions;
import io.warden.s6.ProcessTable;
import io.warden.s6.Scandir;
import io.warden.s6.ServiceDirectory;
import io.warden.s6.StatusWatcher;
import io.warden.s6.SupervisorKind;
import io.warden.s6.SupervisorStatus;
import io.warden.s6.TemplateCatalog;
import io.warden.state.GatewayRun;
import io.warden.state.Intent;
import io.warden.state.IntentState;
import io.warden.state.LastShutdown;
import io.warden.state.RunRecord;
import io.warden.state.StateLock;
import io.warden.state.StateStore;
import org.tinylog.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The sidecar. Every decision runs on one thread, the loop: s6 status changes, signals and intent changes arrive
 * as tasks on its queue, so the rules never race each other. Socket and watcher threads only hand work in. The
 * loop keeps one {@link ServiceController} per service and publishes the answers of {@link Requests} after each
 * change.
 */
public final class Daemon {
    /**
     * Socket bounds (README, "Socket protocol"): 5 s idle time; 2048 connections, of which one unprivileged uid
     * may hold 64 and 64 are kept for root and the control group; 32 history answers streamed at once, 24 of
     * them for unprivileged peers; 256 watchers, of which one unprivileged uid may hold 8 and 32 are kept for root
     * and the control group.
     */
    private static final ApiServer.Limits SOCKET_LIMITS = new ApiServer.Limits(5000, 2048, 64, 64, 32, 24, 256, 8, 32);
    /** How often the watcher looks for a service directory that is not there yet. */
    private static final long WAITING_POLL_MILLIS = 1000;
    /** Re-read of a watched status file in case inotify missed something: a safety net, not the mechanism. */
    private static final long SAFETY_POLL_MILLIS = 60_000;
    private static final int WRITER_THREADS = 32;
    /** How often an intent that could not be read is read again. */
    private static final long UNREADABLE_RETRY_NANOS = 5_000_000_000L;

    private final Settings settings;
    private final String defaultService;
    private final StateStore store;
    private final EventSpine events;
    private final Ledger ledger;
    private final Versions versions;
    private final Watchers watchers;
    private final MetricsBook metrics;
    private final Scandir scandir;
    private final ProcessTable procs;
    private final ServiceContext context;
    private final LoopQueue tasks = new LoopQueue();
    private final PeerIdentity identity;
    private final Requests requests;
    /**
     * Writes the state files of a container stop in parallel: fsyncs issued together share the file system's
     * journal commits. Threads are started at boot, so the signal path starts none.
     */
    private final java.util.concurrent.ExecutorService writers;
    private final long wardenPid = ProcessHandle.current().pid();
    private final TimeSource time;
    private final Instant startedAt;

    // owned by the loop thread
    private final Map<String, ServiceController> services = new TreeMap<>();
    private TemplateCatalog catalog;
    private S6RcKeeper s6rc;
    private long nextUnreadableRetry;
    /** Slots another keeper made for services warden keeps, by slot name (reported while they are there). */
    private Map<String, io.warden.s6.SecondKeepers.Copy> copies = Map.of();
    private long nextCopyScan;
    private RunRecord run;
    private int exitCode = DaemonExit.CLEAN;
    private String shutdownSignal;
    private SupervisorKind supervisor = SupervisorKind.NONE;
    private ServiceLimit limit;

    private StateLock lock;
    private ApiServer server;
    private StatusWatcher watcher;
    /** Started at boot, armed at the signal: sees whether the runs still up end or are SIGKILLed. */
    private StopWitness witness;
    /** A committed stop's new causes, written into each service's own file before warden exits. */
    private List<io.warden.state.ServiceState> causesToFold = List.of();
    private MetricsHttp metricsHttp;
    /** {@code WARDEN_IMPORT}'s record of the profiles dealt with; null when there is no import or it is damaged. */
    private io.warden.imports.ImportRecord importRecord;

    public Daemon(Settings settings) {
        this(settings, TimeSource.system());
    }

    public Daemon(Settings settings, TimeSource time) {
        this.settings = settings;
        this.time = time;
        this.startedAt = time.now();
        this.defaultService = settings.service();
        this.store = new StateStore(settings.path(Setting.STATE_DIR), defaultService, settings.journalMaxBytes());
        this.events = new EventSpine(java.time.Clock.systemUTC(), recs -> ledger().journalRecords(recs));
        this.ledger = new Ledger(store, this::republish, events::emit);
        this.versions = new Versions(Versions.ofWarden(), settings.get(Setting.IMAGE_VERSION));
        this.watchers = new Watchers();
        this.metrics = new MetricsBook(versions, store.journal());
        events.subscribe(metrics);
        events.subscribe(watchers);
        this.scandir = new Scandir(settings.path(Setting.SCANDIR));
        this.procs = ProcessTable.system();
        this.context = new ServiceContext(store, ledger, events, scandir, procs, time,
                settings.signalWindowMillis() * 1_000_000L, settings.backoffMaxMillis(), this::runSeen, this::submit);
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(WRITER_THREADS,
                WRITER_THREADS, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "warden-writer");
                    t.setDaemon(true);
                    return t;
                });
        this.writers = pool;
        this.identity = PeerIdentity.system(settings.controlGroup());
        this.requests = new Requests(identity.access(), store.journal(), tasks::add, this::change, defaultService,
                watchers, metrics);
    }

    /** The ledger, for the event spine's journal (built before the ledger, which reports its problems to it). */
    private Ledger ledger() {
        return ledger;
    }

    /** Boots, serves until SIGTERM/SIGINT, records the cause and returns the process exit code. */
    public int run() {
        ShutdownSignals.install(sig -> tasks.add(() -> onSignal(sig)));
        try {
            boot();
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
        loop();
        // what arrived with or after the signal still gets its answer ("shutting-down") or its log line; what
        // comes later is refused to its sender, who answers for it
        for (Runnable late : tasks.close()) runGuarded(late);
        // for an older warden, which reads causes only there; one killed before this is folded at the next boot
        ledger.fold(causesToFold, writers);
        close();
        Logger.info("warden stopped ({})", shutdownSignal);
        return exitCode;
    }

    private void boot() throws IOException {
        openVolume();
        // before anything is recorded: a warden that cannot serve writes no boot record and no run record (which
        // the next boot would read as an unclean end), however often s6 retries it
        bindSocket();
        s6rc = loadS6Rc();
        catalog = loadCatalog();
        supervisor = SupervisorKind.detect(procs, scandir.path(), settings.path(Setting.S6_OVERLAY_BASEDIR));
        for (String gone : scandir.removeLeftovers()) Logger.info("removed {}, left by an earlier remove", gone);
        limit = new ServiceLimit(settings.maxServices(), io.warden.s6.SvscanCapacity.of(procs, supervisor,
                scandir.path()), ServiceLimit.slotsIn(scandir.path()));
        createControllers();
        for (String p : limit.bootProblems(services.keySet())) ledger.problem(p);
        RunRecord previous = loadPreviousRun();
        applyBootPlans(previous);
        recordBoot(previous);
        publish();
        nextUnreadableRetry = time.nanos() + UNREADABLE_RETRY_NANOS;
        nextCopyScan = nextUnreadableRetry;
        ((java.util.concurrent.ThreadPoolExecutor) writers).prestartAllCoreThreads();
        watchSupervisor();
        startWatching();
        startServing();
        if (ledger.writable()) {
            witness = StopWitness.start(store.dir(), scandir.path(), settings.path(Setting.SOCKET).getParent());
        }
        Readiness.notify(settings.notifyFd());
        Logger.info("ready: socket {}, state {}, {} service(s) in {}", settings.get(Setting.SOCKET), store.dir(),
                services.size(), scandir.path());
    }

    private void openVolume() throws IOException {
        Path dir = store.dir();
        try {
            store.ensureDirectory();
            lock = StateLock.acquire(dir);
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

    /**
     * The image's s6-rc longruns warden keeps ({@code WARDEN_S6RC}), read from where the stage-2 hook says the
     * image's source is, or from {@code WARDEN_S6_RC_SOURCE} when no hook ran. None in one-service mode.
     */
    private S6RcKeeper loadS6Rc() throws IOException {
        java.util.Set<String> selection = settings.s6rcSelection();
        io.warden.s6.S6RcBootRecord boot = null;
        io.warden.s6.S6RcSource source = io.warden.s6.S6RcSource.none();
        if (!settings.oneServiceMode() && (selection == null || !selection.isEmpty())) {
            boot = io.warden.s6.S6RcBootRecord.read(settings.path(Setting.S6RC_BOOT));
            Path src = boot != null && boot.source() != null ? boot.source() : settings.path(Setting.S6_RC_SOURCE);
            Path bundles = boot != null && boot.bundles() != null ? boot.bundles()
                    : java.nio.file.Files.isDirectory(src.resolve("user")) || src.getParent() == null ? src
                    : src.getParent().resolve("user-bundles.d");
            source = io.warden.s6.S6RcSource.read(src, bundles);
        }
        java.util.concurrent.ExecutorService worker = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "warden-s6-rc");
            t.setDaemon(true);
            return t;
        });
        S6RcKeeper k = new S6RcKeeper(source, boot, selection, io.warden.s6.S6RcControl.system(), scandir, procs,
                worker, this::submit);
        for (String r : k.refused()) Logger.warn("s6-rc longrun {} left to s6-rc: its name is not one warden keeps", r);
        if (!k.kept().isEmpty()) {
            Logger.info("s6-rc services kept from {}: {}{}", source.source(), String.join(" ", k.kept().keySet()),
                    k.hookRan() ? "" : " (no stage-2 hook ran at this boot: s6-rc started them whatever their intent;"
                            + " set S6_STAGE2_HOOK=/usr/local/lib/warden/stage2-hook)");
        }
        return k;
    }

    private TemplateCatalog loadCatalog() throws IOException {
        if (!settings.oneServiceMode() && !s6rc.kept().isEmpty()
                && !java.nio.file.Files.isDirectory(settings.path(Setting.TEMPLATES))) {
            Logger.info("no templates folder {}: the s6-rc services only", settings.get(Setting.TEMPLATES));
            return TemplateCatalog.empty();
        }
        if (settings.oneServiceMode()) {
            Logger.info("one-service mode: {} from {} (WARDEN_TEMPLATE is set, WARDEN_TEMPLATES is not read)",
                    defaultService, settings.get(Setting.TEMPLATE));
            return TemplateCatalog.single(defaultService, settings.path(Setting.TEMPLATE));
        }
        TemplateCatalog c = TemplateCatalog.scan(settings.path(Setting.TEMPLATES));
        if (!c.refused().isEmpty()) {
            // a name against the rule, or one of warden's own files on the volume: a configuration error of the
            // image, refused at start like WARDEN_SERVICE is, rather than a service silently left unmanaged
            throw new Settings.ConfigException("template names refused in " + settings.get(Setting.TEMPLATES) + ": "
                    + String.join("; ", c.refused()));
        }
        return c;
    }

    /** Every templated service, every instance on the volume, and every recorded service whose template is gone. */
    private void createControllers() {
        IntentState dflt = settings.defaultIntent();
        for (TemplateCatalog.Template t : s6rc.kept().values()) add(t.name(), t);
        for (TemplateCatalog.Template t : catalog.services().values()) {
            if (services.containsKey(t.name())) {
                doubleDefinition(t);
                continue;
            }
            add(t.name(), t);
        }
        List<String> recorded = settings.oneServiceMode() ? List.of() : recordedServices();
        io.warden.imports.HermesImport imports = readImport(recorded);
        if (!settings.oneServiceMode()) {
            for (String name : recorded) {
                if (services.containsKey(name)) continue;
                TemplateCatalog.Template t = catalog.templateFor(name);
                if (t == null) {
                    ledger.problem("service " + name + " is recorded on the volume but its template is gone: kept, "
                            + "not installed (template missing)");
                }
                add(name, t);
            }
        }
        if (imports != null) createImportedInstances(imports);
        for (ServiceController c : services.values()) c.load(dflt, startedAt, imports);
        saveImportRecord();
    }

    /**
     * The services recorded on the volume. A state directory warden cannot list (mode 000, a root-squashing
     * share) lists none: availability first, the templates' services run on their default intent and the
     * problem is already under {@code degraded} (the volume is not writable either), as in one-service mode.
     */
    private List<String> recordedServices() {
        try {
            return store.recordedServices();
        } catch (IOException e) {
            ledger.problem("cannot list the state directory " + store.dir() + " (" + Ledger.describe(e)
                    + "): recorded instances and services whose template is gone are not known this boot");
            return List.of();
        }
    }

    /**
     * {@code WARDEN_IMPORT}: the Hermes volume to take first intents from, or null. {@code recorded}: the services
     * with state on the volume (a profile whose instance is among them is recorded as dealt with, never read).
     */
    private io.warden.imports.HermesImport readImport(List<String> recorded) {
        Path home = settings.hermesHome();
        if (home == null) return null;
        if (!ledger.writable()) {
            Logger.warn("hermes import from {} skipped: the state directory is not writable", home);
            return null;
        }
        try {
            importRecord = io.warden.imports.ImportRecord.load(store.dir());
        } catch (IOException e) {
            importRecord = null;
            ledger.problem("hermes import: " + Ledger.describe(e) + ": no named profile is imported while it is so;"
                    + " fix it, or delete it to import again every profile that has no instance");
        }
        io.warden.imports.HermesImport imports = io.warden.imports.HermesImport.read(home, defaultService,
                importRecord, java.util.Set.copyOf(recorded), io.warden.imports.HermesImport.DEADLINE);
        for (String p : imports.problems()) ledger.problem(p);
        return imports;
    }

    /** The profiles dealt with this boot join the record, so each is imported once (a removal sticks). */
    private void saveImportRecord() {
        if (importRecord == null) return;
        try {
            importRecord.saveIfChanged();
        } catch (IOException e) {
            ledger.problem("hermes import: could not write " + importRecord.path() + " (" + Ledger.describe(e)
                    + "): a profile whose instance is removed may be imported again at the next boot");
        }
    }

    /**
     * A named Hermes profile whose file gives an intent becomes the instance {@code <WARDEN_SERVICE>@P} at its
     * first boot, when that instance template exists; otherwise one log line names the profile and it is skipped.
     */
    private void createImportedInstances(io.warden.imports.HermesImport imports) {
        for (Map.Entry<String, String> k : imports.keptInstances().entrySet()) {
            importRecord.add(k.getKey(), k.getValue(), startedAt, io.warden.imports.ImportRecord.How.KEPT);
        }
        for (Map.Entry<String, io.warden.imports.HermesVolume.Reading> e : imports.profileInstances().entrySet()) {
            String name = e.getKey();
            if (services.containsKey(name)) continue;
            io.warden.imports.HermesVolume.Reading r = e.getValue();
            if (!r.imports()) {
                Logger.info("hermes import: no instance {}: {}", name, r.why());
                continue;
            }
            TemplateCatalog.Template t = catalog.templateFor(name);
            if (t == null) {
                Logger.warn("hermes import: profile {} skipped: no instance template {} in {}", name,
                        ServiceName.templateOf(name), settings.get(Setting.TEMPLATES));
                continue;
            }
            String full = limit.refusal(services.keySet(), name);
            if (full != null) {
                Logger.warn("hermes import: profile {} skipped: {}", ServiceName.instancePart(name), full);
                continue;
            }
            add(name, t);
            importRecord.add(name, ServiceName.instancePart(name), startedAt,
                    io.warden.imports.ImportRecord.How.IMPORTED);
            Map<String, Object> created = Ledger.record("instance-created", name);
            created.put("template", ServiceName.templateOf(name));
            created.put("importedFrom", r.origin().toJson());
            ledger.journal(created);
            Logger.info("hermes import: instance {} created for profile {}", name, ServiceName.instancePart(name));
        }
    }

    /** A template named as an s6-rc longrun: the s6-rc definition wins and the template is not installed. */
    private void doubleDefinition(TemplateCatalog.Template t) {
        String p = t.name() + " is defined twice: as an s6-rc service and as the template " + t.dir()
                + "; the s6-rc definition is kept, the template is not installed (delete one of them)";
        // the problem is the log line (logged once, as every problem under degraded is)
        ledger.problem(p);
        Map<String, Object> rec = Ledger.record("defined-elsewhere", t.name());
        rec.put("definitions", List.of("an s6-rc service", "a template " + t.dir()));
        ledger.journal(rec);
    }

    private ServiceController add(String name, TemplateCatalog.Template t) {
        ServiceController c = new ServiceController(name, t, context);
        services.put(name, c);
        return c;
    }

    private RunRecord loadPreviousRun() {
        StateStore.Loaded<RunRecord> previous = store.loadRun();
        if (previous.damaged()) {
            ledger.problem((previous.unreadable() ? "run record cannot be read: " : "run record damaged: ")
                    + previous.problem());
        }
        return previous.value();
    }

    private void applyBootPlans(RunRecord previous) throws IOException {
        boolean unclean = previous != null && !previous.ended();
        if (unclean) {
            events.emit(new Event.UncleanEnd(previous.wardenPid(), previous.startedAt().toString()));
            Logger.warn("previous warden run (pid {}, started {}) ended without a record", previous.wardenPid(),
                    previous.startedAt());
        }
        run = new RunRecord(wardenPid, startedAt, null, null, null, new TreeMap<>(), versions)
                .withCauses(foldPreviousStop(previous));
        Map<String, StopWitness.Outcome> witnessed = unclean || previous == null ? Map.of()
                : StopWitness.read(store.dir());
        OtherDefinitions others = new OtherDefinitions(settings.path(Setting.S6_RC_SOURCE),
                settings.path(Setting.SERVICES_D));
        for (ServiceController c : services.values()) {
            if (!c.templateMissing() && !c.s6rc()) warnIfDefinedElsewhere(c, others);
            c.observe();
            GatewayRun seen = previous == null ? null : previous.seen(c.name(), defaultService);
            if (unclean) c.judgeUncleanEnd(previous, seen, startedAt);
            c.judgeEndWhileDown(previous, seen);
            StopWitness.Outcome w = witnessed.get(c.name());
            if (w != null) c.judgeWitnessedEnd(w, seen);
            c.applyBootPlan(startedAt, seen, heldBy(c));
            if (c.currentRun() != null) run = run.withRun(c.name(), defaultService, c.currentRun());
        }
        for (ServiceController c : services.values()) bringUpIfWanted(c);
        scanForCopies();
        ledger.saveRun(run);
        if (ledger.writable()) StopWitness.forget(store.dir());
    }

    /**
     * A committed stop's causes, kept in its run record, folded into each service's own file (README, "State on the
     * volume"). Returns the causes not written (and those of services this boot does not keep): this run's record
     * carries them on.
     */
    private Map<String, LastShutdown> foldPreviousStop(RunRecord previous) {
        if (previous == null || !previous.ended() || previous.causes().isEmpty()) return Map.of();
        Map<String, LastShutdown> left = new TreeMap<>(previous.causes());
        List<io.warden.state.ServiceState> folded = new ArrayList<>();
        for (ServiceController c : services.values()) {
            if (c.unreadable() != null) continue;
            LastShutdown ls = previous.causeToFold(c.name(), c.state().lastShutdown());
            // only into an intent read from the service's own file, never a guessed one: else carried on
            if (ls != null && store.peekService(c.name()).value() == null) continue;
            if (ls != null) folded.add(c.foldCause(ls));
            left.remove(c.name());
        }
        for (String failed : ledger.fold(folded, writers)) left.put(failed, previous.causes().get(failed));
        return left;
    }

    private List<String> heldBy(ServiceController c) {
        return c.s6rc() ? s6rc.heldBy(c.name(), this::intentOf) : List.of();
    }

    /** A service's intent, or null while it cannot be read. */
    private IntentState intentOf(String name) {
        ServiceController c = services.get(name);
        return c == null || c.unreadable() != null ? null : c.desired();
    }

    /** An s6-rc service that should be up, is not held and is not running: up through s6-rc, with what it needs. */
    private void bringUpIfWanted(ServiceController c) {
        if (!c.s6rc() || c.unreadable() != null || c.desired() != IntentState.UP || c.active()) return;
        if (!heldBy(c).isEmpty() || shutdownSignal != null) return;
        String name = c.name();
        s6rc.bringUp(name, failure -> {
            String prefix = "s6-rc could not bring " + name + " up";
            if (failure == null) {
                ledger.clearProblems(prefix);
            } else {
                Logger.error("{}: {}", prefix, failure);
                ledger.problem(prefix + ": " + failure);
            }
        });
    }

    /** Intents that could not be read at boot are read again; one that now can be gets its boot plan. */
    private boolean retryUnreadable() {
        // every read first: whether a service is held depends on the intents of what it depends on
        List<ServiceController> recovered = new ArrayList<>();
        for (ServiceController c : services.values()) {
            if (c.unreadable() != null && c.retryUnreadable(settings.defaultIntent(), time.now())) recovered.add(c);
        }
        for (ServiceController c : recovered) {
            try {
                c.applyBootPlan(time.now(), c.currentRun(), heldBy(c));
            } catch (IOException e) {
                Logger.error("{}: cannot apply its intent: {}", c.name(), Ledger.describe(e));
            }
        }
        if (!recovered.isEmpty()) for (ServiceController c : services.values()) bringUpIfWanted(c);
        return !recovered.isEmpty();
    }

    /**
     * Another keeper's slots for the services warden keeps (Hermes's reconciler, a services.d copy): reported at boot
     * and when one appears (log, {@code degraded}, journal {@code second-keeper}), cleared when it is gone. Looked
     * for at boot and every 5 s; returns true when what is reported changed.
     */
    private boolean scanForCopies() {
        Map<String, Path> kept = new TreeMap<>();
        for (ServiceController c : services.values()) kept.put(c.name(), c.runFile());
        Map<String, io.warden.s6.SecondKeepers.Copy> now;
        try {
            now = new io.warden.s6.SecondKeepers(scandir).find(kept);
        } catch (IOException e) {
            Logger.warn("cannot look for other keepers' slots in {}: {}", scandir.path(), Ledger.describe(e));
            return false;
        }
        boolean changed = !now.keySet().equals(copies.keySet());
        for (io.warden.s6.SecondKeepers.Copy c : now.values()) {
            if (copies.containsKey(c.slot().getFileName().toString())) continue;
            ledger.problem(copyProblem(c) + ": two copies of " + c.service() + " answer the same messages twice; remove"
                    + " the other keeper (docs/ADOPTING.md)");
            Map<String, Object> rec = Ledger.record("second-keeper", c.service());
            rec.put("slot", c.slot().toString());
            ledger.journal(rec);
        }
        for (io.warden.s6.SecondKeepers.Copy c : copies.values()) {
            if (!now.containsKey(c.slot().getFileName().toString())) ledger.clearProblems(copyProblem(c));
        }
        boolean running = false;
        for (io.warden.s6.SecondKeepers.Copy c : now.values()) running |= c.running();
        for (io.warden.s6.SecondKeepers.Copy c : copies.values()) running |= c.running();
        copies = now;
        return changed || running;
    }

    private static String copyProblem(io.warden.s6.SecondKeepers.Copy c) {
        return "second keeper: " + c.slot() + " runs " + c.service() + "'s program and warden did not install it";
    }

    /** The slot of a running copy of {@code service} another keeper made, or null. */
    private String secondCopy(String service) {
        for (io.warden.s6.SecondKeepers.Copy c : copies.values()) {
            if (c.service().equals(service) && c.running()) return c.slot().toString();
        }
        return null;
    }

    /** A service also defined outside warden: one log line and a problem under {@code degraded} (README, "Adopting"). */
    private void warnIfDefinedElsewhere(ServiceController c, OtherDefinitions others) {
        List<String> found = others.of(c.name(), c.directory());
        if (found.isEmpty()) return;
        String p = c.name() + " is also defined outside warden: " + String.join("; ", found)
                + ". Two definitions fight: s6-rc and services.d start theirs at every boot whatever the intent, so a "
                + "warden stop does not last; delete the other definition (docs/ADOPTING.md)";
        // the problem is the log line (logged once, as every problem under degraded is)
        ledger.problem(p);
        Map<String, Object> rec = Ledger.record("defined-elsewhere", c.name());
        rec.put("definitions", found);
        ledger.journal(rec);
    }

    private void recordBoot(RunRecord previous) {
        ServiceController d = services.get(defaultService);
        Map<String, String> intents = new LinkedHashMap<>();
        for (ServiceController c : services.values()) intents.put(c.name(), c.desired().wire());
        events.emit(new Event.Boot(wardenPid, supervisor.wire(), d == null ? null : d.desired().wire(), intents,
                versions));
        // a run record from before versions were recorded: the previous boot ran an older warden
        Versions before = previous == null ? null
                : previous.versions() != null ? previous.versions() : new Versions(null, null);
        if (before != null && !before.equals(versions)) {
            events.emit(new Event.Upgraded(before, versions));
            Logger.info("upgraded: {}", before.changeTo(versions));
        }
    }

    private void startWatching() throws IOException {
        watcher = new StatusWatcher(scandir.path(), WAITING_POLL_MILLIS, SAFETY_POLL_MILLIS,
                (dir, s) -> tasks.add(() -> onStatus(dir, s)),
                e -> tasks.add(() -> onInternalFailure("status watcher failure: " + e, DaemonExit.WATCHER_FAILED)));
        for (ServiceController c : services.values()) {
            // one whose template is gone is watched while s6 still has it: it may run, and may be stopped
            if (!c.templateMissing() || c.directory().exists()) watcher.add(c.directory());
        }
        watcher.start();
    }

    private void bindSocket() throws IOException {
        io.warden.api.ServerCounters counters = new io.warden.api.ServerCounters();
        server = new ApiServer(new SocketFile(settings.path(Setting.SOCKET)), requests, identity, SOCKET_LIMITS,
                counters, () -> tasks.add(this::onServerFailure));
        ApiServer s = server;
        metrics.server(counters, s::connectionCount, watchers::count);
        server.bind();
    }

    private void startServing() throws IOException {
        server.start();
        java.net.InetSocketAddress listen = settings.metricsListen();
        if (listen != null) {
            metricsHttp = MetricsHttp.start(listen, () -> metrics.render(time.now()));
            Logger.info("metrics served at http://{}/metrics", metricsHttp.address());
        }
    }

    private void loop() {
        while (true) {
            long now = time.nanos();
            long wait = 60_000_000_000L;
            for (ServiceController c : services.values()) wait = Math.min(wait, c.nanosToNextDeadline(now));
            boolean unreadable = false;
            for (ServiceController c : services.values()) unreadable |= c.unreadable() != null;
            if (unreadable) wait = Math.min(wait, nextUnreadableRetry - now);
            wait = Math.min(wait, nextCopyScan - now);
            Runnable task;
            try {
                task = tasks.poll(Math.max(0, wait), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (task != null) runGuarded(task);
            // nothing is decided after warden's stop record (a due cause would be journaled after it)
            if (shutdownSignal != null) return;
            boolean changed = false;
            long t = time.nanos();
            for (ServiceController c : services.values()) changed |= c.tick(t);
            if (t - nextCopyScan >= 0) {
                nextCopyScan = t + UNREADABLE_RETRY_NANOS;
                changed |= scanForCopies();
            }
            if (unreadable && t - nextUnreadableRetry >= 0) {
                nextUnreadableRetry = t + UNREADABLE_RETRY_NANOS;
                changed |= retryUnreadable();
            }
            if (changed) publish();
        }
    }

    /** A defect in one task must not end the loop that every other decision depends on. */
    private static void runGuarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            Logger.error(e, "internal error in warden's decision loop (continuing): {}", e);
        }
    }

    private void onStatus(ServiceDirectory dir, SupervisorStatus s) {
        // after warden's stop record nothing is decided: the causes are recorded, the witness follows the runs
        if (shutdownSignal != null) return;
        ServiceController c = services.get(dir.path().getFileName().toString());
        // a removed instance's last status may still be queued
        if (c == null || c.directory() != dir) return;
        if (supervisor == SupervisorKind.NONE) redetectSupervisor();
        c.onStatus(s);
        publish();
    }

    /** Work handed in from another thread (a process's exit): run on the loop, then publish what changed. */
    private void submit(Runnable work) {
        tasks.add(() -> {
            work.run();
            publish();
        });
    }

    /** Follows the s6-svscan found at detection: when it exits, {@code supervisor} is detected again. */
    private void watchSupervisor() {
        long pid = supervisor == SupervisorKind.S6_OVERLAY ? 1 : procs.find("s6-svscan", scandir.path());
        if (pid == 0) return;
        ProcessHandle.of(pid).ifPresent(h -> h.onExit().thenRun(() -> tasks.add(this::redetectSupervisor)));
    }

    private void redetectSupervisor() {
        SupervisorKind now = SupervisorKind.detect(procs, scandir.path(), settings.path(Setting.S6_OVERLAY_BASEDIR));
        String prefix = "no s6-svscan serves " + scandir.path();
        if (now == SupervisorKind.NONE) {
            ledger.problem(prefix + ": a service that ends is not restarted");
        } else {
            ledger.clearProblems(prefix);
        }
        if (now == supervisor) return;
        Logger.warn("supervisor is now {} (was {})", now.wire(), supervisor.wire());
        supervisor = now;
        if (now != SupervisorKind.NONE) watchSupervisor();
        publish();
    }

    /** The run record follows the runs the controllers see up, so the next boot can tell an unclean end. */
    private void runSeen(String service, GatewayRun r) {
        if (run == null) return;
        if (java.util.Objects.equals(run.seen(service, defaultService), r)) return;
        ledger.saveRun(run = run.withRun(service, defaultService, r));
    }

    /** No socket, no status: end so that s6 restarts warden; the services and their records are left as they are. */
    private void onServerFailure() {
        onInternalFailure("socket server failure", DaemonExit.SERVER_FAILED);
    }

    private void onInternalFailure(String why, int code) {
        if (shutdownSignal != null) return;
        shutdownSignal = why;
        requests.stopping();
        exitCode = code;
        for (ServiceController c : services.values()) c.onWardenEnd();
        RunRecord ended = run == null ? null : (run = run.endedBy(shutdownSignal, time.now()));
        events.emitAll(List.of(new Event.WardenStop(null, shutdownSignal, null, null)), records -> {
            if (ended != null) ledger.commitStop(ended, records, writers);
            else ledger.journalAll(records);
        });
    }

    /**
     * warden's own SIGTERM/SIGINT: every service's cause made durable at once, as one transaction (the ended run
     * record carries them: {@link io.warden.state.StopTransaction}); each service's own file gets its cause before
     * warden exits. The {@code warden-stop} record carries the default service's cause as round 1's did; every other
     * service whose cause was recorded gets its own {@code shutdown} record, before it.
     */
    private void onSignal(String sig) {
        if (shutdownSignal != null) {
            // s6-overlay's stage 3 sends every process a SIGTERM after the supervisor's: expected, and it changes
            // nothing, so it does not make the log say twice that warden received one
            Logger.debug("{} during shutdown: ignored, the shutdown cause is already recorded", sig);
            return;
        }
        shutdownSignal = sig;
        requests.stopping();
        Instant now = time.now();
        Map<String, String> causes = new LinkedHashMap<>();
        LastShutdown dflt = null;
        List<io.warden.state.ServiceState> changed = new ArrayList<>();
        List<Event> stop = new ArrayList<>();
        Map<String, Long> stillUp = new LinkedHashMap<>();
        for (ServiceController c : services.values()) {
            LastShutdown ls = c.onSignal(sig, now);
            causes.put(c.name(), ls == null ? "unchanged" : ls.cause().wire());
            if (ls == null) continue;
            if (c.runningPid() != 0) stillUp.put(c.name(), c.runningPid());
            changed.add(c.state());
            boolean isDefault = c.name().equals(defaultService);
            if (isDefault) dflt = ls;
            // the default service's cause is journaled inside warden-stop, as round 1 recorded it
            stop.add(new Event.ServiceEnd(c.name(), ls, false, !isDefault));
        }
        Map<String, LastShutdown> decided = new TreeMap<>();
        for (io.warden.state.ServiceState st : changed) decided.put(st.service(), st.lastShutdown());
        if (run != null) run = run.endedBy(sig, now).withCauses(decided);
        stop.add(new Event.WardenStop(sig, null, dflt, causes));
        long t0 = time.nanos();
        int[] written = new int[1];
        boolean[] committed = new boolean[1];
        RunRecord ended = run;
        events.emitAll(stop, records -> {
            written[0] = records.size();
            committed[0] = ended != null && ledger.commitStop(ended, records, writers);
        });
        if (committed[0]) {
            // an intent that cannot be read is never written over (its placeholder is no intent): the run record
            // keeps that cause, and a boot that can read the file folds it
            causesToFold = changed.stream().filter(st -> services.get(st.service()).unreadable() == null).toList();
            Logger.info("{} causes, the run record and {} journal records durable in {} ms", changed.size(),
                    written[0], String.format(java.util.Locale.ROOT, "%.2f", (time.nanos() - t0) / 1e6));
        }
        Logger.info("{} received: causes {}; intents stay as recorded", sig, causes);
        if (witness != null) witness.arm(now.toString(), stillUp);
        publish();
    }

    // ---- changes of intent, on the loop -------------------------------------------------------------------

    private Map<String, Object> change(Operation op, String service, Peer peer, String reason) {
        if (shutdownSignal != null) {
            return Protocol.error(ErrorCode.SHUTTING_DOWN, "warden is shutting down (" + shutdownSignal
                    + "); nothing was changed");
        }
        if (!ledger.writable()) {
            return Protocol.error(ErrorCode.STATE_WRITE_FAILED, "the state directory " + store.dir()
                    + " is not writable, so the intent cannot be recorded; nothing was changed");
        }
        ServiceController c = services.get(service);
        boolean creating = false;
        if (c == null) {
            TemplateCatalog.Template t = op == Operation.START && ServiceName.isInstance(service)
                    ? catalog.templateFor(service) : null;
            if (t == null) {
                return Protocol.error(ErrorCode.UNKNOWN_SERVICE, "warden keeps no service '" + service + "'");
            }
            String full = limit.refusal(services.keySet(), service);
            if (full != null) return Protocol.error(ErrorCode.TOO_MANY_SERVICES, full);
            c = new ServiceController(service, t, context);
            c.create(Intent.byUser(IntentState.UP, time.now(), peer.uid(), peer.pid(), reason));
            creating = true;
        }
        Map<String, Object> answer;
        if (op == Operation.REMOVE) {
            answer = c.remove(peer);
            if (Boolean.TRUE.equals(answer.get("ok"))) {
                services.remove(service);
                watcher.remove(c.directory());
            }
        } else {
            if (c.s6rc() && op != Operation.STOP) startNeeded(c, peer);
            answer = c.control(op, peer, reason, creating);
            boolean ok = Boolean.TRUE.equals(answer.get("ok"));
            if (creating && ok) {
                services.put(service, c);
                watcher.add(c.directory());
            }
            if (c.s6rc() && ok) answer = followDependencies(c, op, peer, answer);
        }
        publish();
        return answer;
    }

    /** {@code warden start X}: what X needs up and whose intent is down is started too (as s6-rc would). */
    private void startNeeded(ServiceController c, Peer peer) {
        for (String dep : s6rc.needs(c.name())) {
            ServiceController d = services.get(dep);
            if (d == null || !d.s6rc() || (d.unreadable() == null && d.desired() == IntentState.UP)) continue;
            d.control(Operation.START, peer, "needed by " + c.name(), false);
        }
    }

    /**
     * After an s6-rc service's intent changed: a stop takes down what depends on it (held, their intents
     * unchanged) and nothing else; a start brings it up through s6-rc, then what it held whose own intent is up.
     */
    private Map<String, Object> followDependencies(ServiceController c, Operation op, Peer peer,
                                                   Map<String, Object> answer) {
        List<String> holds = new ArrayList<>();
        if (op == Operation.STOP) {
            for (String dep : s6rc.dependents(c.name())) {
                ServiceController d = services.get(dep);
                if (d != null && d.s6rc()) {
                    d.holdDown(c.name(), peer);
                    holds.add(dep);
                } else if (d == null && s6rc.stopUnkept(dep)) {
                    holds.add(dep);
                }
            }
            if (!holds.isEmpty()) Logger.info("{} stopped: holds {}", c.name(), String.join(", ", holds));
        } else {
            bringUpIfWanted(c);
            List<String> dependents = new ArrayList<>(s6rc.dependents(c.name()));
            java.util.Collections.reverse(dependents);
            for (String dep : dependents) {
                ServiceController d = services.get(dep);
                if (d != null) bringUpIfWanted(d);
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) answer.get("result");
        Map<String, Object> r = new LinkedHashMap<>(result);
        r.put("holds", holds);
        return Protocol.ok(r);
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private void publish() {
        List<Snapshot> all = new ArrayList<>();
        List<String> problems = ledger.problems();
        for (ServiceController c : services.values()) {
            all.add(c.snapshot(supervisor, wardenPid, startedAt, problems, versions, heldBy(c), secondCopy(c.name())));
        }
        requests.publish(all, catalog == null ? List.of() : catalog.instanceTemplateNames());
        metrics.snapshots(all);
    }

    /** A new problem changes what status reports; before the first publish there is nothing to update. */
    private void republish() {
        if (requests.published()) publish();
    }

    /**
     * A boot that failed after it recorded its run (the socket is bound first, so this is rarer): the run record
     * says it ended, so the next boot does not take it for an unclean end of the services it saw.
     */
    private void failedBoot() {
        if (run != null && !run.ended() && ledger.writable()) ledger.saveRun(run = run.endedBy("startup failed", time.now()));
        close();
    }

    private void close() {
        // every watcher has had warden's stop event (or nothing was started): their streams end here
        watchers.endAll();
        if (metricsHttp != null) metricsHttp.close();
        try {
            if (watcher != null) watcher.close();
            if (server != null) server.close();
            if (lock != null) lock.close();
        } catch (IOException e) {
            Logger.warn("while closing: {}", e.getMessage());
        }
        requests.close();
        writers.shutdownNow();
    }
}

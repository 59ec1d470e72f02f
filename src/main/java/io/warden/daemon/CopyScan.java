package io.warden.daemon;

import io.warden.event.Event;
import io.warden.event.EventSpine;
import io.warden.s6.Scandir;
import io.warden.s6.SecondKeepers;
import org.tinylog.Logger;

import java.io.IOException;
import java.util.Map;

/**
 * Another keeper's slots for the services warden keeps (Hermes's reconciler, a services.d copy): reported when
 * one appears (log, {@code degraded}, journal {@code second-keeper}), cleared when it is gone. Looked for at boot
 * and every {@value #EVERY_SECONDS} s on the loop; what status shows changes only when a copy appears, goes, or
 * starts or stops running.
 */
final class CopyScan {
    static final long EVERY_SECONDS = 5;
    private static final long EVERY_NANOS = EVERY_SECONDS * 1_000_000_000L;

    private final SecondKeepers keepers;
    private final Scandir scandir;
    private final Ledger ledger;
    private final EventSpine events;
    private final TimeSource time;
    /** Slots another keeper made for services warden keeps, by slot name (reported while they are there). */
    private Map<String, SecondKeepers.Copy> copies = Map.of();
    private long next;

    CopyScan(Scandir scandir, Ledger ledger, EventSpine events, TimeSource time) {
        this.keepers = new SecondKeepers(scandir);
        this.scandir = scandir;
        this.ledger = ledger;
        this.events = events;
        this.time = time;
        this.next = time.nanos();
    }

    /** {@code service} is kept from now on: its definition's program ({@code run}, null: none) is read once, here. */
    void keep(String service, java.nio.file.Path run) {
        try {
            keepers.keep(service, run);
        } catch (IOException e) {
            Logger.warn("cannot read {}'s run file {}: a copy of it is found by its slot's name only: {}", service,
                    run, Ledger.describe(e));
        }
    }

    /** {@code service} is not kept any more (a removed instance). */
    void forget(String service) {
        keepers.forget(service);
    }

    /** Nanoseconds until the next scan is due (0 or less: due). */
    long nanosToNext(long now) {
        return next - now;
    }

    /** Scans when due; true when what is reported changed. */
    boolean scanIfDue(long now) {
        if (now - next < 0) return false;
        return scan();
    }

    /** Looks for copies now; true when what is reported changed. */
    boolean scan() {
        next = time.nanos() + EVERY_NANOS;
        Map<String, SecondKeepers.Copy> now;
        try {
            now = keepers.find();
        } catch (IOException e) {
            Logger.warn("cannot look for other keepers' slots in {}: {}", scandir.path(), Ledger.describe(e));
            return false;
        }
        for (SecondKeepers.Copy c : now.values()) {
            if (copies.containsKey(c.slot().getFileName().toString())) continue;
            ledger.problem(Problem.of(Problem.Kind.SECOND_KEEPER, c.slot()), problem(c) + ": two copies of " + c.service() + " answer the same messages twice; remove"
                    + " the other keeper (docs/ADOPTING.md)");
            events.emit(new Event.SecondKeeper(c.service(), c.slot().toString()));
        }
        for (SecondKeepers.Copy c : copies.values()) {
            if (!now.containsKey(c.slot().getFileName().toString())) ledger.clear(Problem.of(Problem.Kind.SECOND_KEEPER, c.slot()));
        }
        boolean changed = !now.equals(copies);
        copies = now;
        return changed;
    }

    private static String problem(SecondKeepers.Copy c) {
        return "second keeper: " + c.slot() + " runs " + c.service() + "'s program and warden did not install it";
    }

    /** The slot of a running copy of {@code service} another keeper made, or null. */
    String runningCopy(String service) {
        for (SecondKeepers.Copy c : copies.values()) {
            if (c.service().equals(service) && c.running()) return c.slot().toString();
        }
        return null;
    }
}

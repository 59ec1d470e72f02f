package io.warden.daemon;

import io.warden.config.Setting;
import io.warden.s6.SvscanCapacity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * How many services warden may keep, decided once at boot: {@code WARDEN_MAX_SERVICES}, and no more than the
 * scandir's s6-svscan can supervise beside the directories others put there (s6-overlay's own, services.d's). A
 * start that would create one more service is refused before anything is written; services already recorded are
 * never dropped: when they are more than the limit, warden keeps them all and says so at boot.
 */
final class ServiceLimit {
    private final int setting;
    /** The scandir's s6-svscan, or null when none serves it (or its options cannot be read). */
    private final SvscanCapacity capacity;
    /** The scandir's entries at boot (those of warden's services among them are not others'). */
    private final Set<String> slots;

    ServiceLimit(int setting, SvscanCapacity capacity, Set<String> slots) {
        this.setting = setting;
        this.capacity = capacity;
        this.slots = Set.copyOf(slots);
    }

    /** The scandir's service directories as they are at boot (not dot-names: those are s6-svscan's and builds). */
    static Set<String> slotsIn(Path scandir) {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> s = Files.list(scandir)) {
            s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).forEach(names::add);
        } catch (IOException e) {
            // an unreadable scandir fails the boot elsewhere, with its own message; here it only counts none
            return Set.of();
        }
        return names;
    }

    /** Directories in the scandir that are not warden's services: they take room in s6-svscan's table too. */
    int others(Set<String> kept) {
        int n = 0;
        for (String s : slots) if (!kept.contains(s)) n++;
        return n;
    }

    /** How many services warden may keep: the setting, or less when the supervisor cannot hold that many. */
    int effective(Set<String> kept) {
        if (capacity == null) return setting;
        return Math.min(setting, Math.max(0, capacity.max() - others(kept)));
    }

    /** Why {@code name} cannot be created beside {@code kept}, or null when there is room. */
    String refusal(Set<String> kept, String name) {
        if (kept.size() < effective(kept)) return null;
        return "cannot create " + name + ": warden keeps " + kept.size() + " services, its limit (" + why(kept)
                + "); nothing was changed";
    }

    /** What the boot must say (log, {@code degraded}): services beyond the setting or beyond the supervisor. */
    List<String> bootProblems(Set<String> kept) {
        List<String> problems = new ArrayList<>();
        if (kept.size() > setting) {
            problems.add(kept.size() + " services are recorded or defined, more than " + Setting.MAX_SERVICES.env()
                    + "=" + setting + ": every one is kept, none more is created; raise " + Setting.MAX_SERVICES.env()
                    + " or remove instances");
        }
        if (capacity != null && kept.size() + others(kept) > capacity.max()) {
            problems.add("s6-svscan (pid " + capacity.pid() + ") on the scandir supervises at most " + capacity.max()
                    + " service directories (" + capacity.source() + "); " + others(kept) + " are others' and warden"
                    + " keeps " + kept.size() + ": those past " + capacity.max() + " are never supervised (s6-svscan "
                    + "logs \"too many services\"); start s6-svscan with -C or -c " + (kept.size() + others(kept)));
        }
        return problems;
    }

    private String why(Set<String> kept) {
        if (capacity == null || setting <= capacity.max() - others(kept)) {
            return Setting.MAX_SERVICES.env() + "=" + setting;
        }
        return "s6-svscan on the scandir supervises at most " + capacity.max() + " service directories ("
                + capacity.source() + "), " + others(kept) + " of them taken by others";
    }
}

package io.warden.daemon;

import io.warden.s6.SvscanCapacity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceLimitTest {
    private static Set<String> services(int n) {
        Set<String> s = new TreeSet<>();
        for (int i = 0; i < n; i++) s.add("gw@" + i);
        return s;
    }

    @Test
    void theSettingBoundsWhatIsCreated() {
        ServiceLimit l = new ServiceLimit(3, null, Set.of());
        assertNull(l.refusal(services(2), "gw@new"));
        String no = l.refusal(services(3), "gw@new");
        assertTrue(no.contains("cannot create gw@new"), no);
        assertTrue(no.contains("WARDEN_MAX_SERVICES=3"), no);
        assertTrue(no.contains("nothing was changed"), no);
        assertEquals(List.of(), l.bootProblems(services(3)));
    }

    @Test
    void servicesBeyondTheSettingAtBootAreKeptAndSaid() {
        ServiceLimit l = new ServiceLimit(3, null, Set.of());
        List<String> p = l.bootProblems(services(5));
        assertEquals(1, p.size());
        assertTrue(p.get(0).startsWith("5 services are recorded or defined, more than WARDEN_MAX_SERVICES=3"), p.get(0));
        assertTrue(l.refusal(services(5), "gw@new") != null);
    }

    @Test
    void theSupervisorsRoomLessOthersDirectoriesBoundsItToo() {
        // s6-overlay 3.2.3.x: 1000 by default; its own two slots and warden's are others' (warden's is not a kept one)
        SvscanCapacity overlay = new SvscanCapacity(1, 1000, "the default of s6 2.15 (no -C or -c given)");
        Set<String> slots = new TreeSet<>(Set.of("s6rc-fdholder", "s6rc-oneshot-runner", "warden", "gw@0", "gw@1"));
        ServiceLimit l = new ServiceLimit(5000, overlay, slots);
        assertEquals(3, l.others(services(2)));
        assertEquals(997, l.effective(services(2)));
        assertNull(l.refusal(services(996), "gw@new"));
        String no = l.refusal(services(997), "gw@new");
        assertTrue(no.contains("s6-svscan on the scandir supervises at most 1000 service directories"), no);
        assertTrue(no.contains("3 of them taken by others"), no);
        assertEquals(List.of(), l.bootProblems(services(997)));
        List<String> p = l.bootProblems(services(1200));
        assertEquals(1, p.size());
        assertTrue(p.get(0).contains("supervises at most 1000"), p.get(0));
        assertTrue(p.get(0).contains("start s6-svscan with -C or -c 1203"), p.get(0));
    }

    @Test
    void theSmallerOfTheTwoIsTheLimit() {
        SvscanCapacity big = new SvscanCapacity(7, 6000, "-C 6000");
        ServiceLimit l = new ServiceLimit(10, big, Set.of("warden"));
        assertEquals(10, l.effective(services(1)));
        assertTrue(l.refusal(services(10), "gw@x").contains("WARDEN_MAX_SERVICES=10"));
    }

    @Test
    void slotsAreTheScandirsServiceDirectories(@TempDir Path scandir) throws IOException {
        Files.createDirectories(scandir.resolve(".s6-svscan"));
        Files.createDirectories(scandir.resolve(".gw@1.tmp"));
        Files.createDirectories(scandir.resolve("warden"));
        Files.createDirectories(scandir.resolve("gw@0"));
        Files.writeString(scandir.resolve("note"), "a file is no service");
        assertEquals(Set.of("warden", "gw@0"), ServiceLimit.slotsIn(scandir));
        assertEquals(Set.of(), ServiceLimit.slotsIn(scandir.resolve("absent")));
    }
}

package io.warden.s6;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The places besides warden's templates where a service may also be defined, on real directories. */
class OtherDefinitionsTest {
    @TempDir
    Path root;

    private OtherDefinitions others() {
        return new OtherDefinitions(root.resolve("s6-rc.d"), root.resolve("services.d"));
    }

    private Path template() throws Exception {
        Path t = Files.createDirectories(root.resolve("templates/gateway"));
        Files.writeString(t.resolve("run"), "#!/bin/sh\nexec sleep 1000\n");
        return t;
    }

    @Test
    void none_when_warden_is_the_only_one() throws Exception {
        ServiceDirectory slot = new ServiceDirectory(root.resolve("scan/gateway"));
        assertEquals(List.of(), others().of("gateway", slot), "no slot yet");
        slot.installFrom(template(), false);
        assertTrue(slot.installedByWarden());
        assertEquals(template().toString() + "\n", Files.readString(slot.path().resolve(ServiceDirectory.MARKER)));
        assertEquals(List.of(), others().of("gateway", slot), "warden's own slot");
    }

    @Test
    void an_s6rc_service_a_services_d_directory_and_a_foreign_slot_are_each_named() throws Exception {
        Files.createDirectories(root.resolve("s6-rc.d/gateway"));
        Files.createDirectories(root.resolve("services.d/gateway"));
        Path real = Files.createDirectories(root.resolve("s6-rc/servicedirs/gateway"));
        Files.createDirectories(root.resolve("scan"));
        Files.createSymbolicLink(root.resolve("scan/gateway"), real);
        List<String> found = others().of("gateway", new ServiceDirectory(root.resolve("scan/gateway")));
        assertEquals(3, found.size(), found.toString());
        assertTrue(found.get(0).startsWith("an s6-rc service " + root.resolve("s6-rc.d/gateway")), found.get(0));
        assertTrue(found.get(1).startsWith("a services.d directory "), found.get(1));
        assertTrue(found.get(2).contains("that warden did not install") && found.get(2).contains("a link"), found.get(2));
        assertEquals(List.of(), others().of("worker", new ServiceDirectory(root.resolve("scan/worker"))),
                "other names are not concerned");
    }

    @Test
    void a_plain_slot_without_the_marker_is_foreign() throws Exception {
        Path slot = Files.createDirectories(root.resolve("scan/gateway"));
        Files.writeString(slot.resolve("run"), "#!/bin/sh\n");
        List<String> found = others().of("gateway", new ServiceDirectory(slot));
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).contains("no ./installed-by-warden)"), found.get(0));
    }
}

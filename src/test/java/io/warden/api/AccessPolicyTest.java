package io.warden.api;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Principals from the JDK's lookup service (the host's root, nobody, nogroup), a group database as NSS would give it. */
class AccessPolicyTest {
    private static final UserPrincipalLookupService LOOKUP = FileSystems.getDefault().getUserPrincipalLookupService();
    private final List<String> asked = new ArrayList<>();

    private AccessPolicy.GroupDatabase groups(Map<String, Set<String>> members) {
        return (group, user) -> {
            asked.add(group + ":" + user);
            return members.getOrDefault(group, Set.of()).contains(user);
        };
    }

    private static UserPrincipal user(String name) throws IOException {
        return LOOKUP.lookupPrincipalByName(name);
    }

    private static GroupPrincipal group(String name) throws IOException {
        return LOOKUP.lookupPrincipalByGroupName(name);
    }

    @Test
    void root_is_recognised_by_its_uid_not_its_name() throws IOException {
        AccessPolicy p = new AccessPolicy(null, LOOKUP, groups(Map.of()));
        assertTrue(p.mayControl(user("root"), group("root")));
        // a principal for uid 0 by number (what the JDK gives for a uid the user database cannot name)
        assertTrue(p.isRoot(user("0")));
        assertFalse(p.isRoot(user("nobody")));
        assertFalse(p.mayControl(user("nobody"), group("nogroup")));
        assertTrue(asked.isEmpty(), "no group database lookup without a control group: " + asked);
    }

    @Test
    void primary_group_principal_matches_the_control_group() throws IOException {
        AccessPolicy p = new AccessPolicy("nogroup", LOOKUP, groups(Map.of()));
        assertTrue(p.mayControl(user("nobody"), group("nogroup")));
        assertFalse(p.mayControl(user("nobody"), group("daemon")));
    }

    @Test
    void supplementary_membership_comes_from_the_group_database() throws IOException {
        AccessPolicy p = new AccessPolicy("daemon", LOOKUP, groups(Map.of("daemon", Set.of("nobody"))));
        assertTrue(p.mayControl(user("nobody"), group("nogroup")));
        assertEquals(List.of("daemon:nobody"), asked);
        AccessPolicy other = new AccessPolicy("daemon", LOOKUP, groups(Map.of("daemon", Set.of("bin"))));
        assertFalse(other.mayControl(user("nobody"), group("nogroup")));
    }

    @Test
    void a_control_group_that_does_not_exist_has_no_members() throws IOException {
        AccessPolicy p = new AccessPolicy("no-such-group-here", LOOKUP, groups(Map.of()));
        assertFalse(p.mayControl(user("nobody"), group("nogroup")));
        assertTrue(p.mayControl(user("root"), group("root")));
    }

    @Test
    void refusals_name_the_uid_and_what_it_may_not_do() {
        AccessPolicy p = new AccessPolicy(null, LOOKUP, groups(Map.of()));
        Peer alice = new Peer(1000, "alice", "alice", 4242L, false);
        assertNull(p.refusal(alice, Operation.STATUS, "gateway"));
        assertNull(p.refusal(alice, Operation.CHECK, "gateway"));
        assertNull(p.refusal(alice, Operation.HISTORY, "gateway"));
        for (Operation o : new Operation[] {Operation.STOP, Operation.START, Operation.RESTART}) {
            String why = p.refusal(alice, o, "gateway");
            assertNotNull(why, o.wire());
            assertTrue(why.contains("uid 1000") && why.contains(o.wire()), why);
            assertTrue(why.contains("WARDEN_CONTROL_GROUP"), why);
            assertNull(p.refusal(new Peer(0, "root", "root", null, true), o, "gateway"));
        }
        String why = new AccessPolicy("gwadmin", LOOKUP, groups(Map.of())).refusal(alice, Operation.STOP, "gateway");
        assertTrue(why.contains("'gwadmin'"), why);
    }

    @Test
    void a_refusal_names_the_service_asked_for() {
        Peer alice = new Peer(1000, "alice", "alice", 4242L, false);
        String why = new AccessPolicy(null, LOOKUP, groups(Map.of())).refusal(alice, Operation.START, "dashboard@blue");
        assertTrue(why.startsWith("uid 1000 (alice) may not start dashboard@blue: "), why);
        assertFalse(why.contains("gateway"), why);
    }

    @Test
    void peer_identity_looks_up_the_uid_number_only_for_a_change_of_intent() throws IOException {
        AccessPolicy p = new AccessPolicy(null, LOOKUP, groups(Map.of()));
        List<String> uidLookups = new ArrayList<>();
        PeerIdentity id = new PeerIdentity(p, name -> {
            uidLookups.add(name);
            return 65534;
        }, java.nio.file.Path.of("/proc"));
        Peer root = id.identify(user("root"), group("root"));
        assertEquals(0, root.uid());
        assertTrue(root.mayControl());
        Peer nobody = id.identify(user("nobody"), group("nogroup"));
        assertFalse(nobody.mayControl());
        assertTrue(uidLookups.isEmpty(), "reading needs no uid number: no user database lookup per connection");
        assertEquals(user("nobody"), nobody.account());
        assertEquals(65534, id.forControl(nobody, null).uid());
        assertEquals(List.of("nobody"), uidLookups);
        // a uid without a user database entry: the JDK names it by number
        Peer unnamed = id.identify(user("4321"), group("nogroup"));
        assertEquals(4321, unnamed.uid());
        assertFalse(unnamed.mayControl());
    }
}

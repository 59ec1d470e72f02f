package io.warden.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessPolicyTest {
    @TempDir
    Path dir;

    private static final Peer ROOT = new Peer(0, "root", "root", null);
    private static final Peer ALICE = new Peer(1000, "alice", "alice", 4242L);

    @Test
    void root_may_do_everything() {
        AccessPolicy p = new AccessPolicy(null, dir.resolve("group"));
        for (Operation o : Operation.values()) assertNull(p.refusal(ROOT, o), o.wire());
    }

    @Test
    void other_users_may_read_but_not_change_intent() {
        AccessPolicy p = new AccessPolicy(null, dir.resolve("group"));
        assertNull(p.refusal(ALICE, Operation.STATUS));
        assertNull(p.refusal(ALICE, Operation.CHECK));
        assertNull(p.refusal(ALICE, Operation.HISTORY));
        for (Operation o : new Operation[] {Operation.STOP, Operation.START, Operation.RESTART}) {
            String why = p.refusal(ALICE, o);
            assertNotNull(why, o.wire());
            assertTrue(why.contains("uid 1000") && why.contains(o.wire()), why);
            assertTrue(why.contains("WARDEN_CONTROL_GROUP"), why);
        }
    }

    @Test
    void primary_group_match_is_allowed() {
        AccessPolicy p = new AccessPolicy("gwadmin", dir.resolve("no-such-group-file"));
        assertNull(p.refusal(new Peer(1001, "bob", "gwadmin", null), Operation.STOP));
        String why = p.refusal(ALICE, Operation.STOP);
        assertNotNull(why);
        assertTrue(why.contains("'gwadmin'") && why.contains("uid 1000") && why.contains("stop"), why);
    }

    @Test
    void membership_listed_in_the_group_file_is_allowed() throws IOException {
        Path group = dir.resolve("group");
        Files.writeString(group, String.join("\n",
                "root:x:0:",
                "users:x:100:alice,carol",
                "gwadmin:x:2000:dave, alice ,erin",
                "gwadminx:x:2001:frank",
                "broken-line",
                ""));
        AccessPolicy p = new AccessPolicy("gwadmin", group);
        assertNull(p.refusal(ALICE, Operation.RESTART));
        assertNull(p.refusal(new Peer(1003, "erin", "erin", null), Operation.START));
        assertNotNull(p.refusal(new Peer(1002, "carol", "carol", null), Operation.STOP), "member of another group");
        assertNotNull(p.refusal(new Peer(1004, "frank", "frank", null), Operation.STOP), "group name prefix only");
        assertNotNull(p.refusal(new Peer(1005, "ali", "ali", null), Operation.STOP), "user name prefix only");
    }
}

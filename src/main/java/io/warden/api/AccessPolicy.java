package io.warden.api;

import java.io.IOException;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;

/**
 * Who may change intent: uid 0, or a member of the group named by WARDEN_CONTROL_GROUP (as primary group, or as a
 * supplementary member in the group database). Everyone who can reach the socket may read.
 *
 * <p>The peer's credentials are compared as principals: the JDK's SO_PEERCRED principal against the ones its
 * {@link UserPrincipalLookupService} gives for {@code root} and the control group; principals are equal when
 * their ids are, whatever the names. Supplementary membership is asked of the system's group database through
 * NSS ({@link GroupDatabase}; the daemon's is {@code getent group}, kept for 30 s), as login does when it sets a
 * user's groups; nothing parses /etc/passwd or /etc/group by hand. These lookups may read files or ask a directory service: they run when a peer connects, on
 * a worker thread, never on the socket's selector thread.
 */
public final class AccessPolicy {
    /** The group database, as NSS gives it: the user names listed as members of a group. */
    public interface GroupDatabase {
        boolean lists(String group, String user) throws IOException;
    }

    private final String controlGroup;
    private final UserPrincipalLookupService lookup;
    private final GroupDatabase groups;
    private volatile UserPrincipal root;

    public AccessPolicy(String controlGroup, UserPrincipalLookupService lookup, GroupDatabase groups) {
        this.controlGroup = controlGroup;
        this.lookup = lookup;
        this.groups = groups;
    }

    /** Whether a peer with these kernel credentials may change intent. */
    public boolean mayControl(UserPrincipal user, GroupPrincipal group) throws IOException {
        if (user.equals(root())) return true;
        if (controlGroup == null) return false;
        GroupPrincipal control;
        try {
            control = lookup.lookupPrincipalByGroupName(controlGroup);
        } catch (UserPrincipalNotFoundException e) {
            // a control group that does not exist has no members
            return false;
        }
        return control.equals(group) || groups.lists(controlGroup, user.getName());
    }

    /** Whether this principal is uid 0. */
    public boolean isRoot(UserPrincipal user) throws IOException {
        return user.equals(root());
    }

    private UserPrincipal root() throws IOException {
        UserPrincipal r = root;
        if (r == null) {
            // "0" is uid 0 even where the superuser is not called root (no user is named "0")
            root = r = lookup.lookupPrincipalByName("0");
        }
        return r;
    }

    /** Null when allowed, otherwise the sentence the refusal carries, naming {@code service} (the one asked for). */
    public String refusal(Peer peer, Operation op, String service) {
        if (!op.changesIntent() || peer.mayControl()) return null;
        return "uid " + peer.uid() + " (" + peer.user() + ") may not " + op.wire() + " " + service + ": changing intent"
                + " needs uid 0" + (controlGroup == null ? "" : " or membership of group '" + controlGroup + "'")
                + (controlGroup == null ? " (WARDEN_CONTROL_GROUP is not set)" : "");
    }
}

package io.warden.api;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;

/**
 * Who a peer is, from the kernel's credentials on the connection (SO_PEERCRED, as the JDK gives them: user and
 * group principals). Every method may read the user database or /proc: call them on a worker thread.
 */
public final class PeerIdentity {
    /** The uid number of a user name, for the journal and refusals (decisions compare principals). */
    public interface Uids {
        int uidOf(String user) throws IOException;
    }

    private final AccessPolicy access;
    private final Uids uids;
    private final Path proc;

    public PeerIdentity(AccessPolicy access, Uids uids, Path proc) {
        this.access = access;
        this.uids = uids;
        this.proc = proc;
    }

    /** The system's: NSS for names and groups, /proc for claimed pids. */
    public static PeerIdentity system(String controlGroup) {
        SystemAccounts accounts = SystemAccounts.system();
        AccessPolicy access = new AccessPolicy(controlGroup,
                java.nio.file.FileSystems.getDefault().getUserPrincipalLookupService(), accounts);
        return new PeerIdentity(access, accounts, Path.of("/proc"));
    }

    public AccessPolicy access() {
        return access;
    }

    public Peer of(SocketChannel ch) throws IOException {
        jdk.net.UnixDomainPrincipal p = ch.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED);
        return identify(p.user(), p.group());
    }

    Peer identify(UserPrincipal user, GroupPrincipal group) throws IOException {
        boolean mayControl = access.mayControl(user, group);
        String name = user.getName();
        int uid = -1;
        if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
            // the JDK names a uid without a user database entry by its number
            uid = Integer.parseInt(name);
        } else if (access.isRoot(user)) {
            uid = 0;
        }
        return new Peer(uid, name, group.getName(), null, mayControl, user);
    }

    /** The peer as a change of intent records it: its uid number, and its claimed pid when /proc confirms it. */
    public Peer forControl(Peer peer, Long claimedPid) {
        Peer p = peer;
        if (p.uid() < 0) {
            try {
                p = p.withUid(uids.uidOf(p.user()));
            } catch (IOException e) {
                // no number to be had: -1 is recorded; what the peer may do was decided on its principal
                return p;
            }
        }
        return withClaimedPid(p, claimedPid);
    }

    /** The peer with its self-reported pid, kept only when that process runs under the peer's uid. */
    public Peer withClaimedPid(Peer peer, Long pid) {
        if (pid == null || pid <= 0 || pid > Integer.MAX_VALUE) return peer;
        try {
            for (String line : Files.readAllLines(proc.resolve(pid + "/status"), StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("Uid:")) {
                    String real = line.substring(4).trim().split("\\s+")[0];
                    if (Integer.parseInt(real) == peer.uid()) return peer.withPid(pid);
                    break;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the process is gone or unreadable: its claim cannot be checked, so no pid is recorded
            return peer;
        }
        return peer;
    }
}

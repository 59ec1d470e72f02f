package io.warden.api;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns the JDK's peer credentials (user and group names from SO_PEERCRED) back into a uid: the JDK names a user
 * through getpwuid and falls back to the number when the uid has no passwd entry.
 */
public final class PeerIdentity {
    private final Path passwd;
    private final Path proc;
    /** Names seen before: a connection per request must not cost a read of the passwd file each time. */
    private final java.util.Map<String, Integer> uids = new java.util.concurrent.ConcurrentHashMap<>();

    public PeerIdentity(Path passwd, Path proc) {
        this.passwd = passwd;
        this.proc = proc;
    }

    public static PeerIdentity system() {
        return new PeerIdentity(Path.of("/etc/passwd"), Path.of("/proc"));
    }

    public Peer of(SocketChannel ch) throws IOException {
        jdk.net.UnixDomainPrincipal p = ch.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED);
        String user = p.user().getName();
        String group = p.group().getName();
        return new Peer(uidOf(user), user, group, null);
    }

    /** The peer with its self-reported pid, kept only when that process runs under the peer's uid. */
    public Peer withClaimedPid(Peer peer, Long pid) {
        if (pid == null || pid <= 0) return peer;
        try {
            for (String line : Files.readAllLines(proc.resolve(pid + "/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("Uid:")) {
                    String real = line.substring(4).trim().split("\\s+")[0];
                    if (Integer.parseInt(real) == peer.uid()) return new Peer(peer.uid(), peer.user(), peer.group(), pid);
                    break;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the process is gone or unreadable: its claim cannot be checked, so no pid is recorded
            return peer;
        }
        return peer;
    }

    int uidOf(String user) {
        if (!user.isEmpty() && user.chars().allMatch(Character::isDigit)) return Integer.parseInt(user);
        Integer known = uids.get(user);
        if (known != null) return known;
        int uid = lookUp(user);
        if (uid >= 0) uids.put(user, uid);
        return uid;
    }

    private int lookUp(String user) {
        try {
            List<String> lines = Files.readAllLines(passwd, StandardCharsets.UTF_8);
            for (String line : lines) {
                String[] f = line.split(":", -1);
                if (f.length > 2 && f[0].equals(user)) return Integer.parseInt(f[2]);
            }
        } catch (IOException | NumberFormatException e) {
            // no uid to be had: -1 is never 0 nor a group member, so such a peer may only read
            return -1;
        }
        return -1;
    }
}

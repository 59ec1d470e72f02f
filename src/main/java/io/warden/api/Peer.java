package io.warden.api;

/**
 * Who is on the other end of a connection. {@code user}, {@code group} and {@code account} (the user principal,
 * equal for equal uids) come from the kernel (SO_PEERCRED); {@code mayControl} is what {@link AccessPolicy}
 * decided for those credentials when the peer connected. {@code uid} is the number, -1 until
 * {@link PeerIdentity#forControl} looks it up (only a change of intent records or reports it); {@code pid} is
 * what the client says of itself, kept only when /proc confirms that process belongs to the same uid (the JDK's
 * peer credentials carry no pid).
 */
public record Peer(int uid, String user, String group, Long pid, boolean mayControl, Object account) {
    /** A peer whose account is its uid (tests, and uids the user database cannot name). */
    public Peer(int uid, String user, String group, Long pid, boolean mayControl) {
        this(uid, user, group, pid, mayControl, uid);
    }

    public Peer withPid(Long pid) {
        return new Peer(uid, user, group, pid, mayControl, account);
    }

    public Peer withUid(int uid) {
        return new Peer(uid, user, group, pid, mayControl, account);
    }
}

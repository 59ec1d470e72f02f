package io.warden.api;

/**
 * Who is on the other end of a connection. {@code uid}, {@code user} and {@code group} come from the kernel
 * (SO_PEERCRED); {@code mayControl} is what {@link AccessPolicy} decided for those credentials when the peer
 * connected; {@code pid} is what the client says of itself, kept only when /proc confirms that process belongs
 * to the same uid (the JDK's peer credentials carry no pid).
 */
public record Peer(int uid, String user, String group, Long pid, boolean mayControl) {
    public Peer withPid(Long pid) {
        return new Peer(uid, user, group, pid, mayControl);
    }
}

package io.warden.api;

import jnr.posix.Group;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.posix.Passwd;

import java.io.IOException;

/**
 * The system's user and group databases through the C library (getpwnam, getgrnam), so NSS decides: files,
 * a directory service, whatever the system is set up with. Loaded on first use; every call may block on NSS and
 * so belongs on a worker thread.
 */
final class SystemAccounts implements AccessPolicy.GroupDatabase, PeerIdentity.Uids {
    private POSIX posix;

    private synchronized POSIX posix() {
        if (posix == null) posix = POSIXFactory.getNativePOSIX();
        return posix;
    }

    @Override
    public boolean lists(String group, String user) throws IOException {
        Group g = posix().getgrnam(group);
        if (g == null) return false;
        String[] members = g.getMembers();
        if (members == null) return false;
        for (String m : members) {
            if (user.equals(m)) return true;
        }
        return false;
    }

    @Override
    public int uidOf(String user) throws IOException {
        Passwd p = posix().getpwnam(user);
        if (p == null) throw new IOException("no user database entry for '" + user + "'");
        return (int) p.getUID();
    }
}

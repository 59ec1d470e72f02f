package io.warden.api;

import io.warden.text.PrintableText;
import org.tinylog.Logger;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The system's user and group databases as NSS gives them (files, a directory service, ...), asked with
 * {@code getent} ({@link Getent}): the same getpwnam/getgrnam answers, with no native library loaded into the
 * daemon. Each answer is kept for {@link #FRESH_NANOS}, so a flood of connections costs at most one lookup per
 * name and period, whatever it does; a group membership or uid change is seen within that period. Every call may
 * wait for NSS (at most the lookup's bound) and so belongs on a worker thread.
 */
final class SystemAccounts implements AccessPolicy.GroupDatabase, PeerIdentity.Uids {
    static final long FRESH_NANOS = 30_000_000_000L;
    static final long LOOKUP_TIMEOUT_MILLIS = 2_000;
    /** Names kept per database; local users are few, so this bounds only a misuse. */
    static final int MAX_NAMES = 256;

    private record Answer(String[] fields, IOException failure, long atNanos) {
    }

    private final Getent getent;
    private final LongSupplier nanos;
    private final Map<String, Answer> groups = new HashMap<>();
    private final Map<String, Answer> users = new HashMap<>();

    SystemAccounts(Getent getent, LongSupplier nanos) {
        this.getent = getent;
        this.nanos = nanos;
    }

    static SystemAccounts system() {
        return new SystemAccounts(new Getent("getent", LOOKUP_TIMEOUT_MILLIS), System::nanoTime);
    }

    /**
     * Whether the group's entry lists the user as a member. A name service that fails or does not answer counts
     * as no membership (fail closed, logged): root is never asked about, so it always gets through.
     */
    @Override
    public boolean lists(String group, String user) {
        Answer a = ask("group", group, groups);
        if (a.failure != null) return false;
        String[] g = a.fields;
        if (g == null || g.length < 4 || g[3].isEmpty()) return false;
        for (String m : g[3].split(",")) {
            if (user.equals(m)) return true;
        }
        return false;
    }

    @Override
    public int uidOf(String user) throws IOException {
        Answer a = ask("passwd", user, users);
        if (a.failure != null) throw a.failure;
        if (a.fields == null || a.fields.length < 3) throw new IOException("no user database entry for '" + user + "'");
        try {
            return Integer.parseInt(a.fields[2]);
        } catch (NumberFormatException e) {
            throw new IOException("the user database entry for '" + user + "' has no uid number", e);
        }
    }

    private synchronized Answer ask(String database, String key, Map<String, Answer> cache) {
        long now = nanos.getAsLong();
        Answer a = cache.get(key);
        if (a != null && now - a.atNanos < FRESH_NANOS) return a;
        try {
            a = new Answer(getent.lookup(database, key), null, now);
        } catch (IOException e) {
            Logger.warn("cannot look up {} '{}' in the system's {} database: {} (asked again in {} s)",
                    database, PrintableText.escape(key), database, e.getMessage(), FRESH_NANOS / 1_000_000_000L);
            a = new Answer(null, e, now);
        }
        if (cache.size() >= MAX_NAMES) cache.clear();
        cache.put(key, a);
        return a;
    }
}

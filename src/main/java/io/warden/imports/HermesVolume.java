package io.warden.imports;

import io.warden.text.PrintableText;
import io.warden.json.Json;
import io.warden.json.JsonException;
import io.warden.state.ImportOrigin;
import io.warden.state.IntentState;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Hermes Agent volume ({@code HERMES_HOME}), read once to give each gateway its first intent by Hermes's own
 * boot decision (its {@code container_boot}, field notes HERMES-NOTES §1.6): {@code desired_state} first (started
 * only when it is {@code running}), then {@code gateway_state} ({@code running}, {@code draining} and
 * {@code degraded} start; anything else stays down). A missing or corrupt {@code gateway_state.json} gives
 * nothing. Read only: nothing here ever writes, creates or moves a file under {@code HERMES_HOME}.
 *
 * <p>The volume may be broken or hostile (its files belong to the gateway's user, warden reads them as root), so
 * every step below the home is taken relative to a directory already open, without following a symbolic link
 * ({@link SecureDirectoryStream}, the JDK's openat and fstatat): a symlink, even one leading back inside, is never
 * followed; only a regular file is opened (a FIFO would block the open for ever, a device would be read as
 * root); at most {@link #MAX_BYTES} are read; and a file that changed between its check and its read (another
 * inode) is not used. The JDK cannot open with O_NONBLOCK nor fstat an open channel, so a FIFO swapped in between
 * the check and the open could still block that open: {@link HermesImport} reads on its own thread with a
 * deadline, so the boot never waits on it.
 */
public final class HermesVolume implements AutoCloseable {
    public static final String KIND = "hermes";
    public static final String STATE_FILE = "gateway_state.json";
    /** The file that makes {@code profiles/P/} a profile for Hermes's boot (and so for the import). */
    public static final String SOUL_FILE = "SOUL.md";
    /** Hermes's own gateway state file is a few KiB; anything far larger is not one. */
    static final int MAX_BYTES = 1 << 20;
    /**
     * Entries of {@code profiles/} looked at, at most: enough for any real volume; a hostile one with millions of
     * entries costs the boot a bounded time and memory. The rest are reported, not read.
     */
    public static final int MAX_ENTRIES = 4096;
    /** The gateway states Hermes reads as running: the #42675 fix's {@code running}, and #55397's drain states. */
    private static final Set<String> RUNNING_STATES = Set.of("running", "draining", "degraded");
    private static final Path PROFILES = Path.of("profiles");

    private final Path home;
    private final SecureDirectoryStream<Path> dir;

    private HermesVolume(Path home, SecureDirectoryStream<Path> dir) {
        this.home = home;
        this.dir = dir;
    }

    /**
     * Opens the home (the path the operator set may itself be a symlink, as {@code /opt/data} often is; nothing
     * below it is followed). Throws when it is no directory, or when the platform cannot read without following
     * links.
     */
    public static HermesVolume open(Path home) throws IOException {
        DirectoryStream<Path> ds = Files.newDirectoryStream(home);
        if (!(ds instanceof SecureDirectoryStream)) {
            ds.close();
            throw new IOException("this platform cannot read " + home + " without following symbolic links");
        }
        return new HermesVolume(home, (SecureDirectoryStream<Path>) ds);
    }

    public Path home() {
        return home;
    }

    /** The root profile's state file (the default gateway's), as shown in logs and {@code importedFrom}. */
    public Path rootFile() {
        return home.resolve(STATE_FILE);
    }

    /** A named profile's state file, as shown. */
    public Path profileFile(String profile) {
        return home.resolve(PROFILES).resolve(profile).resolve(STATE_FILE);
    }

    /** What Hermes's boot counts under {@code profiles/}: the profiles, and what it passed over and why. */
    public record Profiles(List<String> names, List<String> passedOver, int notLookedAt) {
    }

    /**
     * The named profiles, as Hermes's boot counts them: every real directory {@code profiles/P/} holding a regular
     * file {@code SOUL.md}, except {@code profiles/default} (the root profile is the default gateway). Sorted; none
     * when there is no {@code profiles/}. Entries past {@link #MAX_ENTRIES} are counted, not looked at.
     */
    public Profiles profiles() throws IOException {
        List<String> names = new ArrayList<>();
        List<String> passed = new ArrayList<>();
        BasicFileAttributes pa = attributes(dir, PROFILES);
        if (pa == null) return new Profiles(names, passed, 0);
        if (!pa.isDirectory()) {
            passed.add(PrintableText.escape(home.resolve(PROFILES).toString()) + " is " + kind(pa) + ", not a directory: not followed");
            return new Profiles(names, passed, 0);
        }
        int seen = 0;
        int beyond = 0;
        try (SecureDirectoryStream<Path> profiles = dir.newDirectoryStream(PROFILES, LinkOption.NOFOLLOW_LINKS)) {
            for (Path p : profiles) {
                if (seen >= MAX_ENTRIES) {
                    beyond++;
                    continue;
                }
                seen++;
                Path name = p.getFileName();
                String n = name.toString();
                if (n.equals("default") || n.startsWith(".")) continue;
                BasicFileAttributes a = attributes(profiles, name);
                if (a == null) continue;
                if (!a.isDirectory()) {
                    if (a.isSymbolicLink()) passed.add(PrintableText.escape(p.toString()) + " is a symbolic link: not followed");
                    continue;
                }
                try (SecureDirectoryStream<Path> profile = profiles.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                    BasicFileAttributes soul = attributes(profile, Path.of(SOUL_FILE));
                    if (soul != null && soul.isRegularFile()) {
                        names.add(n);
                    } else {
                        passed.add(PrintableText.escape(p.toString()) + " holds no " + SOUL_FILE + (soul == null ? "" : " file (" + kind(soul) + ")")
                                + ": not a profile, as for Hermes");
                    }
                }
            }
        }
        Collections.sort(names);
        return new Profiles(names, passed, beyond);
    }

    /** What one state file says: an intent and where it came from, or nothing and why. */
    public record Reading(IntentState intent, ImportOrigin origin, String why) {
        public boolean imports() {
            return intent != null;
        }
    }

    /** Hermes's decision for the root profile. Never throws for a bad file: that reads as nothing. */
    public Reading readRoot() {
        return decide(rootFile(), readText(dir, rootFile()));
    }

    /** Hermes's decision for the named profile {@code profile}. */
    public Reading readProfile(String profile) {
        Path shown = profileFile(profile);
        try (SecureDirectoryStream<Path> profiles = dir.newDirectoryStream(PROFILES, LinkOption.NOFOLLOW_LINKS);
             SecureDirectoryStream<Path> p = profiles.newDirectoryStream(Path.of(profile), LinkOption.NOFOLLOW_LINKS)) {
            return decide(shown, readText(p, shown));
        } catch (IOException e) {
            return new Reading(null, null, shown.getParent() + " cannot be opened without following a link ("
                    + e + ")");
        }
    }

    /** A file's text, or why there is none (the reading's {@code why}), as {@link Text}. */
    private record Text(String text, String problem) {
    }

    private static Text readText(SecureDirectoryStream<Path> in, Path shown) {
        Path name = Path.of(STATE_FILE);
        try {
            BasicFileAttributes before = attributes(in, name);
            if (before == null) return new Text(null, shown + " does not exist");
            if (!before.isRegularFile()) return new Text(null, shown + " is " + kind(before) + ", not a regular file: not read");
            if (before.size() > MAX_BYTES) return new Text(null, shown + " is larger than " + MAX_BYTES + " bytes: not read");
            ByteBuffer buf = ByteBuffer.allocate((int) before.size() + 1);
            try (SeekableByteChannel ch = in.newByteChannel(name, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
                while (buf.hasRemaining() && ch.read(buf) >= 0) {
                    // reads what the file held at the check, and one byte more to see that it grew
                }
            }
            BasicFileAttributes after = attributes(in, name);
            if (after == null || !after.isRegularFile() || !before.fileKey().equals(after.fileKey())
                    || buf.position() > before.size()) {
                return new Text(null, shown + " was replaced or grew while it was read: not used");
            }
            byte[] bytes = java.util.Arrays.copyOf(buf.array(), buf.position());
            try {
                return new Text(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString(), null);
            } catch (CharacterCodingException e) {
                return new Text(null, shown + " is not UTF-8 text");
            }
        } catch (NoSuchFileException e) {
            return new Text(null, shown + " does not exist");
        } catch (IOException e) {
            // ELOOP: a symbolic link swapped in after the check, refused by O_NOFOLLOW
            return new Text(null, shown + " cannot be read (" + e + ")");
        }
    }

    private static Reading decide(Path file, Text t) {
        if (t.text() == null) return new Reading(null, null, t.problem());
        Map<String, Object> data;
        try {
            data = Json.parseObject(t.text());
        } catch (JsonException e) {
            return new Reading(null, null, file + " is not a JSON object (" + e.getMessage() + ")");
        }
        Map<String, String> keys = new LinkedHashMap<>();
        Object desired = data.get("desired_state");
        IntentState intent;
        String why;
        if (desired != null) {
            keys.put("desired_state", shown(desired));
            intent = "running".equals(desired) ? IntentState.UP : IntentState.DOWN;
            why = "desired_state " + shown(desired);
        } else {
            Object gw = data.get("gateway_state");
            if (gw != null) keys.put("gateway_state", shown(gw));
            intent = gw instanceof String && RUNNING_STATES.contains(gw) ? IntentState.UP : IntentState.DOWN;
            why = gw == null ? "neither desired_state nor gateway_state (Hermes keeps such a gateway down)"
                    : "gateway_state " + shown(gw) + " and no desired_state";
        }
        return new Reading(intent, new ImportOrigin(KIND, file.toString(), keys), why);
    }

    /** The entry's own attributes (a link is not followed), or null when there is no such entry. */
    private static BasicFileAttributes attributes(SecureDirectoryStream<Path> in, Path name) throws IOException {
        try {
            return in.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static String kind(BasicFileAttributes a) {
        if (a.isSymbolicLink()) return "a symbolic link";
        if (a.isDirectory()) return "a directory";
        if (a.isRegularFile()) return "a regular file";
        return "a FIFO, socket or device";
    }

    /** A value as the file holds it, printable: a string as itself, anything else as JSON text. */
    private static String shown(Object v) {
        return PrintableText.escape(v instanceof String ? (String) v : Json.write(v));
    }

    @Override
    public void close() throws IOException {
        dir.close();
    }
}

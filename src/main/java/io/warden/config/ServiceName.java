package io.warden.config;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rule for a service's name: {@code [a-z0-9][a-z0-9._-]*}, an instance {@code NAME@INST} with both parts so.
 * A name is a directory in the scandir and a file name on the volume, so it must never reach outside either, never
 * be one of warden's own files there, and stay short enough for the suffixes warden adds to it.
 */
public final class ServiceName {
    private static final Pattern PART = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    /** Names whose state file would be one of warden's own ({@code run.json}) or read as one. */
    private static final Set<String> RESERVED = Set.of("run", "journal", "journal.1", "lock");
    /**
     * NAME_MAX is 255; the longest file warden derives from a name is {@code NAME.json.corrupt-<ISO time>-N}
     * (about 45 more), so 128 leaves room with a margin.
     */
    public static final int MAX_LENGTH = 128;

    private ServiceName() {
    }

    /** Null when {@code name} is a valid plain or instance name, else why not, in one sentence. */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) return "a service name cannot be empty";
        if (name.length() > MAX_LENGTH) {
            return "service name '" + name.substring(0, 32) + "...' is " + name.length()
                    + " characters long; at most " + MAX_LENGTH + " are allowed";
        }
        int at = name.indexOf('@');
        if (at < 0) {
            if (!PART.matcher(name).matches()) return "service name '" + name + "' does not match [a-z0-9][a-z0-9._-]*";
            if (RESERVED.contains(name)) {
                return "service name '" + name + "' is reserved: warden keeps its own " + name
                        + " file on the state volume";
            }
            return null;
        }
        String base = name.substring(0, at);
        String inst = name.substring(at + 1);
        if (!PART.matcher(base).matches() || !PART.matcher(inst).matches()) {
            return "instance name '" + name + "' must be NAME@INSTANCE, each part matching [a-z0-9][a-z0-9._-]*";
        }
        return null;
    }

    public static boolean isInstance(String name) {
        return name.indexOf('@') > 0;
    }

    /** The template an instance is made from: {@code gateway@work} comes from {@code gateway@}. */
    public static String templateOf(String instance) {
        return instance.substring(0, instance.indexOf('@') + 1);
    }

    /** The instance part: {@code work} for {@code gateway@work}. */
    public static String instancePart(String instance) {
        return instance.substring(instance.indexOf('@') + 1);
    }
}

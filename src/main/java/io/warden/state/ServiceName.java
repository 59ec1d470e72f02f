package io.warden.state;


import java.util.regex.Pattern;

/**
 * The rule for a service's name: DESIGN's {@code [a-z0-9][a-z0-9._-]*}, an instance {@code NAME@INST} with both
 * parts so; not one of the names warden's own files take on the state volume ({@code run} would make the
 * service's state file the run record); and short enough that every file warden derives from it fits the file
 * system's NAME_MAX of 255 bytes. A name is a directory in the scandir and a file name on the volume, so it never
 * reaches outside either.
 */
public final class ServiceName {
    private static final Pattern RULE = Pattern.compile("[a-z0-9][a-z0-9._-]*(@[a-z0-9][a-z0-9._-]*)?");
    /**
     * 255 less the longest suffix warden adds to a name: {@code .json.corrupt-<ISO time>-<n>} for a state file
     * set aside (about 55 bytes) and {@code .tmp-<name>.json-<random>} for a write in progress (about 31).
     */
    public static final int MAX_LENGTH = 255 - 64;

    private ServiceName() {
    }

    /** Null when {@code name} can be used, else why not (one line, naming the variable). */
    public static String problem(String variable, String name) {
        if (name.isEmpty()) return variable + " is empty: set a service name or unset it for the default";
        if (name.length() > MAX_LENGTH) {
            return variable + " is " + name.length() + " characters long; at most " + MAX_LENGTH
                    + " fit the file names warden derives from it";
        }
        if (!RULE.matcher(name).matches()) {
            return variable + " must match [a-z0-9][a-z0-9._-]* (an instance NAME@INSTANCE, both parts so), not '"
                    + io.warden.text.PrintableText.escape(name) + "'";
        }
        if (StateStore.RESERVED_NAMES.contains(name)) {
            return variable + "=" + name + " is reserved: warden's own files on the state volume use that name ("
                    + String.join(", ", StateStore.RESERVED_NAMES) + " are reserved)";
        }
        return null;
    }

    /** Null when {@code name} can be used as a service name, else why not. */
    public static String problem(String name) {
        return problem("service name", name);
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

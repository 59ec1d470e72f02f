package io.warden.config;

import io.warden.state.StateStore;

import java.util.regex.Pattern;

/**
 * The rule for a service's name, checked once where configuration is read: DESIGN's {@code [a-z0-9][a-z0-9._-]*}
 * (an instance may hold one {@code @}), not one of the names warden's own files take on the state volume
 * ({@code run} would make the service's state file the run record), and short enough that every file warden
 * derives from it fits the file system's NAME_MAX of 255 bytes.
 */
public final class ServiceName {
    private static final Pattern RULE = Pattern.compile("[a-z0-9][a-z0-9._-]*(@[a-z0-9._-]*)?");
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
            return variable + " must match [a-z0-9][a-z0-9._-]* (an instance may hold one @), not '" + name + "'";
        }
        if (StateStore.RESERVED_NAMES.contains(name)) {
            return variable + "=" + name + " is reserved: warden's own files on the state volume use that name "
                    + StateStore.RESERVED_NAMES;
        }
        return null;
    }
}

package io.warden.state;

import io.warden.json.Fields;
import io.warden.json.Json;
import io.warden.json.JsonException;

/**
 * The version every state file carries. A file of a version this warden does not know is refused as damaged
 * (and kept aside) rather than guessed at: a newer warden's file read by an older one must not turn into a wrong
 * intent.
 */
final class FileFormat {
    static final int VERSION = 1;

    private FileFormat() {
    }

    /** Parses a state file and checks its {@code format}; {@code what} names it in error messages. */
    static Fields open(String text, String what) throws JsonException {
        Fields f = new Fields(Json.parseObject(text), what);
        long format = f.number("format");
        if (format != VERSION) {
            throw new JsonException("format version " + format + " is not supported (this warden reads " + VERSION
                    + ")");
        }
        return f;
    }
}

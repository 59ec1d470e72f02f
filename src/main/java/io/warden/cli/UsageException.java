package io.warden.cli;

/**
 * A command line that cannot be understood. The message says what is wrong; a wrong command or option is followed
 * by the usage, a wrong value is one line on its own (the option is known, only its value is at fault).
 */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean showUsage;

    public UsageException(String message) {
        this(message, true);
    }

    private UsageException(String message, boolean showUsage) {
        super(message);
        this.showUsage = showUsage;
    }

    /** A known option with a value that is not allowed: the message alone says it. */
    public static UsageException badValue(String message) {
        return new UsageException(message, false);
    }

    public boolean showUsage() {
        return showUsage;
    }
}

package io.warden.cli;

/** A command line that cannot be understood; the message says what is wrong, usage follows it. */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message);
    }
}

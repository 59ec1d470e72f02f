package io.warden.s6;

/**
 * What became of s6-svc letters sent to a service, as a value the decision code reads (s6's own
 * {@code s6_svc_write} likewise turns errno into "sent", "not supervised" or a failure at the lowest level).
 *
 * @param outcome what happened
 * @param detail  for a failure, what went wrong (one line); null when sent
 */
public record ControlResult(Outcome outcome, String detail) {
    /** The outcomes of a control write. */
    public enum Outcome {
        /** The letters are in s6-supervise's FIFO. */
        SENT,
        /** No s6-supervise serves the directory: nothing was sent; {@code ./down} carries the intent. */
        NOT_SUPERVISED,
        /** The service directory is not in the scandir: nothing was sent. */
        NO_DIRECTORY,
        /** The write failed (the FIFO is not one, or a hung supervisor let it fill up): nothing was sent. */
        FAILED
    }

    public static final ControlResult SENT = new ControlResult(Outcome.SENT, null);

    public boolean sent() {
        return outcome == Outcome.SENT;
    }
}

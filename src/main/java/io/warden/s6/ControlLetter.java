package io.warden.s6;

import java.util.List;

/**
 * The command letters warden writes into a supervisor's control FIFO, as s6-svc(8) names them. One letter is one
 * byte; a command of several letters is carried out by s6-supervise in order.
 */
public enum ControlLetter {
    /** {@code u}: want the service up, start it if it is down. */
    UP('u'),
    /** {@code d}: want it down, send it SIGTERM then SIGCONT (SIGKILL after its timeout-kill). */
    DOWN('d'),
    /** {@code O}: do not restart it when it dies (clears want-up without touching the run). */
    ONCE_AT_MOST('O'),
    /** {@code x}: s6-supervise exits once the service is down (the slot is being removed). */
    EXIT('x');

    private final char letter;

    ControlLetter(char letter) {
        this.letter = letter;
    }

    public char letter() {
        return letter;
    }

    /** The bytes of a command: the letters in order, e.g. {@code dx}. */
    public static String word(List<ControlLetter> letters) {
        StringBuilder sb = new StringBuilder(letters.size());
        for (ControlLetter l : letters) sb.append(l.letter);
        return sb.toString();
    }

    @Override
    public String toString() {
        return String.valueOf(letter);
    }
}

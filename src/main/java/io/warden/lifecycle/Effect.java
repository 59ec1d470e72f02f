package io.warden.lifecycle;

import io.warden.event.Event;
import io.warden.s6.ControlLetter;
import io.warden.state.GatewayRun;
import io.warden.state.LastShutdown;

import java.util.List;

/** What a step asks the edge to do, as a value. The edge carries a step's effects out in order. */
public sealed interface Effect {

    /**
     * Send {@code letters} to the service's supervisor. {@code onSent} is carried out only when they were sent;
     * when they were not, the phase becomes {@code ifNotSent} (null: the phase stands either way).
     */
    record Control(List<ControlLetter> letters, List<Effect> onSent, Phase ifNotSent) implements Effect {
        public Control {
            letters = List.copyOf(letters);
            onSent = List.copyOf(onSent);
        }

        public Control(ControlLetter... letters) {
            this(List.of(letters), List.of(), null);
        }
    }

    /** Hand an event to the spine (journal, live stream, metrics). */
    record Emit(Event event) implements Effect {
    }

    /**
     * The service's last shutdown is now {@code cause}: written to its state file when {@code write}, else kept in
     * memory for the daemon to write with every other service's at once (warden's stop).
     */
    record RecordCause(LastShutdown cause, boolean write) implements Effect {
    }

    /** The run record names {@code run} as the service's run up (null: none), so the next boot can tell an unclean end. */
    record RunSeen(GatewayRun run) implements Effect {
    }

    /** A run outside s6's supervision, reported as a problem until the process exits. */
    record Orphan(long pid, String problem) implements Effect {
    }

    /** One line for warden's log. */
    record Log(boolean warning, String message) implements Effect {
    }
}

package io.warden.lifecycle;

import io.warden.s6.SupervisorStatus;
import io.warden.state.GatewayRun;

/** What moves a service's life. Each is handed to {@link Lifecycle#step} with the time it happens at. */
public sealed interface Input {

    /**
     * s6 shows {@code status} (null: it cannot be read). {@code endedRunAlive}: the run warden knew up is no longer
     * s6's and its process still lives (its s6-supervise was killed), which the caller looked up in the process table.
     */
    record Seen(SupervisorStatus status, boolean endedRunAlive) implements Input {
    }

    /** The clock moved: a signal window or a restart hold may be over. */
    record Tick() implements Input {
    }

    /** A request follows: an end still pending is decided now, so the request's record builds on its cause. */
    record Settle() implements Input {
    }

    /**
     * A user's request, its intent already durable and the service directory already in line ({@code ./down}).
     * {@code fresh} is the status read just before (null: none); {@code viaS6Rc}: the service is s6-rc's, which
     * brings a service that is not running up itself, with what it needs.
     */
    record Request(Ask ask, SupervisorStatus fresh, boolean viaS6Rc) implements Input {
    }

    /** What a request asks of s6. */
    enum Ask {
        START, STOP, RESTART,
        /** Stop and let the supervisor exit: the slot is being removed. */
        REMOVE
    }

    /** warden received {@code signal} (SIGTERM, SIGINT): the container is stopping. {@code fresh}: status just read. */
    record Signal(String signal, SupervisorStatus fresh) implements Input {
    }

    /** warden ends for another reason (its socket failed): nothing is decided for the service. */
    record WardenEnd() implements Input {
    }

    /** At boot, before anything is judged: what s6 shows of the service. */
    record Found(SupervisorStatus status) implements Input {
    }

    /**
     * At boot, once the boot plan is carried out: the run s6 shows is the one warden follows. {@code seenBefore}:
     * the run the previous warden last saw; {@code announce}: journal a run it did not see; {@code aged}: the
     * back-off counts the run's age from s6's stamp.
     */
    record Adopt(GatewayRun seenBefore, boolean announce, boolean aged) implements Input {
    }
}

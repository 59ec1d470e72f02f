package io.warden.daemon;

import io.warden.s6.ControlLetter;
import io.warden.s6.SupervisorStatus;
import io.warden.state.IntentState;

/**
 * What boot does to bring s6 in line with the durable intent: the decision table of the README ("Boot").
 * Pure, so every row is a unit test. Intent wins; a gateway that already matches is adopted untouched.
 *
 * @param install    copy the template into the scandir (it is absent)
 * @param downFile   the state {@code ./down} must have afterwards (true = present)
 * @param control    the s6-svc letter to send, or null for none
 * @param rescan     ask s6-svscan to rescan
 * @param why        one line for the log
 */
record BootPlan(boolean install, boolean downFile, ControlLetter control, boolean rescan, String why) {

    public static BootPlan decide(IntentState intent, boolean present, boolean supervised, SupervisorStatus status) {
        boolean wantDown = intent == IntentState.DOWN;
        if (!present) {
            return new BootPlan(true, wantDown, null, true,
                    "service directory absent: installing it " + (wantDown ? "with ./down" : "to start"));
        }
        if (!supervised || status == null) {
            return new BootPlan(false, wantDown, null, true,
                    "service directory present but not supervised: setting ./down to match, asking for a rescan");
        }
        boolean active = status.pid() != 0 || status.wantUp();
        if (!wantDown && !active) {
            return new BootPlan(false, false, ControlLetter.UP, false, "down but intent is up: starting it");
        }
        if (wantDown && active) {
            return new BootPlan(false, true, ControlLetter.DOWN, false, "running, pid " + status.pid() + ", but intent is down: stopping it");
        }
        return new BootPlan(false, wantDown, null, false,
                (wantDown ? "down" : "running, pid " + status.pid() + ",") + " matches intent: adopted untouched");
    }
}

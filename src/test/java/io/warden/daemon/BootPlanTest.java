package io.warden.daemon;

import io.warden.s6.ControlLetter;
import io.warden.state.IntentState;
import org.junit.jupiter.api.Test;

import static io.warden.daemon.Statuses.exited;
import static io.warden.daemon.Statuses.killed;
import static io.warden.daemon.Statuses.up;

import static io.warden.state.IntentState.DOWN;
import static io.warden.state.IntentState.UP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BootPlanTest {


    @Test
    void absent_intent_up_installs_without_down_file_and_rescans() {
        BootPlan p = BootPlan.decide(UP, false, false, null);
        assertTrue(p.install());
        assertFalse(p.downFile());
        assertNull(p.control());
        assertTrue(p.rescan());
    }

    @Test
    void absent_intent_down_installs_with_down_file_and_rescans() {
        BootPlan p = BootPlan.decide(DOWN, false, false, null);
        assertTrue(p.install());
        assertTrue(p.downFile());
        assertNull(p.control());
        assertTrue(p.rescan());
        assertTrue(p.why().contains("./down"), p.why());
    }

    @Test
    void present_but_unsupervised_is_not_replaced_down_file_matches_intent_and_rescans() {
        for (IntentState intent : IntentState.values()) {
            BootPlan p = BootPlan.decide(intent, true, false, null);
            assertFalse(p.install(), intent.name());
            assertEquals(intent == DOWN, p.downFile(), intent.name());
            assertNull(p.control(), intent.name());
            assertTrue(p.rescan(), intent.name());
        }
    }

    @Test
    void supervised_without_readable_status_is_treated_as_unsupervised() {
        BootPlan p = BootPlan.decide(UP, true, true, null);
        assertFalse(p.install());
        assertFalse(p.downFile());
        assertNull(p.control());
        assertTrue(p.rescan());
    }

    @Test
    void running_gateway_matching_intent_up_is_adopted_untouched() {
        BootPlan p = BootPlan.decide(UP, true, true, up(7325));
        assertFalse(p.install());
        assertFalse(p.downFile());
        assertNull(p.control(), "no control letter for an adopted gateway");
        assertFalse(p.rescan());
        assertTrue(p.why().contains("7325"), p.why());
    }

    @Test
    void running_gateway_with_intent_down_is_stopped() {
        BootPlan p = BootPlan.decide(DOWN, true, true, up(7325));
        assertFalse(p.install());
        assertTrue(p.downFile());
        assertEquals(ControlLetter.DOWN, p.control());
        assertFalse(p.rescan());
    }

    @Test
    void down_gateway_not_wanted_up_with_intent_up_is_started() {
        BootPlan p = BootPlan.decide(UP, true, true, killed(15, false));
        assertFalse(p.install());
        assertFalse(p.downFile());
        assertEquals(ControlLetter.UP, p.control());
        assertFalse(p.rescan());
    }

    @Test
    void down_gateway_with_intent_down_is_adopted() {
        BootPlan p = BootPlan.decide(DOWN, true, true, killed(15, false));
        assertFalse(p.install());
        assertTrue(p.downFile());
        assertNull(p.control());
        assertFalse(p.rescan());
    }

    @Test
    void restarting_gateway_with_intent_up_is_left_to_s6() {
        // between two runs: pid 0, want-up still set, s6 restarts it on its own
        BootPlan p = BootPlan.decide(UP, true, true, exited(1, true));
        assertNull(p.control());
        assertFalse(p.downFile());
    }

    @Test
    void restarting_gateway_with_intent_down_is_stopped() {
        BootPlan p = BootPlan.decide(DOWN, true, true, exited(1, true));
        assertEquals(ControlLetter.DOWN, p.control());
        assertTrue(p.downFile());
    }

    /** The boot line is "boot: NAME intent ...: WHY" for every service: WHY must not call each one "gateway". */
    @Test
    void the_reason_names_no_service_so_the_boot_line_of_any_service_is_true() {
        for (IntentState want : new IntentState[] {UP, DOWN}) {
            for (io.warden.s6.SupervisorStatus s : new io.warden.s6.SupervisorStatus[] {up(7325), exited(0, false)}) {
                String why = BootPlan.decide(want, true, true, s).why();
                assertFalse(why.contains("gateway"), why);
            }
        }
        assertEquals("running, pid 7325, matches intent: adopted untouched", BootPlan.decide(UP, true, true, up(7325)).why());
        assertEquals("down but intent is up: starting it", BootPlan.decide(UP, true, true, exited(0, false)).why());
    }
}

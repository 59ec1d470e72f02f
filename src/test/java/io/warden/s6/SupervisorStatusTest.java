package io.warden.s6;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Status files recorded from real s6 2.11 and 2.13 supervisors (hex dumps), parsed as warden parses them. */
class SupervisorStatusTest {

    private static byte[] hex(String spaced) {
        return HexFormat.of().parseHex(spaced.replaceAll("[\\s|]", ""));
    }

    // Debian s6 2.11.3.2 (35 bytes)
    private static final String STAMPS_UP = "40000000 6b09f7f2 0ec62266 | 40000000 6b09f7f2 0e72ffd6";
    private static final String UP_211 = STAMPS_UP + " | 00000000 00001c9d | 0000 | 04";
    private static final String UP_READY_211 = STAMPS_UP + " | 00000000 00001ca5 | 0000 | 0c";
    private static final String PAUSED_211 = STAMPS_UP + " | 00000000 00001c9d | 0000 | 05";
    private static final String NEVER_STARTED_211 = STAMPS_UP + " | 00000000 00000000 | 0000 | 08";
    private static final String AFTER_SVC_D_211 =
            "40000000 6b09f7fd 3889c4fe | 40000000 6b09f7fd 39b2ba00 | 00000000 00000000 | 000f | 08";
    private static final String EXIT3_FINISH125_211 = STAMPS_UP + " | 00000000 00000000 | 0300 | 08";
    // s6 2.13.2.0 (43 bytes, pgid after pid)
    private static final String UP_213 = "40000000 6b09f8f0 03052cee | 40000000 6b09f8f0 02f95f55"
            + " | 00000000 000046e7 | 00000000 000046e7 | 0000 | 04";
    private static final String DOWN_SIGTERM_213 = "40000000 6b09f8f0 03052cee | 40000000 6b09f8f0 02f95f55"
            + " | 00000000 00000000 | 00000000 00000000 | 000f | 08";
    private static final String NOT_STARTED_213 = "40000000 6b09f8f0 03052cee | 40000000 6b09f8f0 02f95f55"
            + " | 00000000 00000000 | 00000000 00000000 | 0000 | 09";

    @Test
    void up_without_notification_on_2_11() {
        byte[] b = hex(UP_211);
        assertEquals(35, b.length);
        SupervisorStatus s = SupervisorStatus.parse(b);
        assertEquals(7325, s.pid());
        assertEquals(0, s.pgid());
        assertTrue(s.up());
        assertTrue(s.wantUp());
        assertFalse(s.ready());
        assertFalse(s.finishing());
        assertFalse(s.paused());
    }

    @Test
    void up_and_ready_on_2_11() {
        SupervisorStatus s = SupervisorStatus.parse(hex(UP_READY_211));
        assertEquals(0x1ca5, s.pid());
        assertTrue(s.up());
        assertTrue(s.wantUp());
        assertTrue(s.ready());
        assertFalse(s.paused());
    }

    @Test
    void paused_flag() {
        SupervisorStatus s = SupervisorStatus.parse(hex(PAUSED_211));
        assertTrue(s.paused());
        assertTrue(s.wantUp());
        assertTrue(s.up());
        assertFalse(s.ready());
    }

    @Test
    void down_file_never_started() {
        SupervisorStatus s = SupervisorStatus.parse(hex(NEVER_STARTED_211));
        assertEquals(0, s.pid());
        assertFalse(s.up());
        assertFalse(s.wantUp());
        assertTrue(s.ready(), "s6 sets ready for 'down and ready to start'");
        assertEquals(0, s.wstat());
    }

    @Test
    void after_svc_d_the_run_was_killed_by_sigterm() {
        SupervisorStatus s = SupervisorStatus.parse(hex(AFTER_SVC_D_211));
        assertEquals(0, s.pid());
        assertFalse(s.up());
        assertFalse(s.wantUp());
        assertEquals(0x000f, s.wstat());
        assertFalse(s.exited());
        assertEquals(15, s.termSignal());
        assertEquals("SIGTERM", Signals.name(s.termSignal()));
    }

    @Test
    void run_exits_3_and_finish_125_clears_want_up() {
        SupervisorStatus s = SupervisorStatus.parse(hex(EXIT3_FINISH125_211));
        assertFalse(s.up());
        assertFalse(s.wantUp());
        assertTrue(s.exited());
        assertEquals(3, s.exitCode());
        assertEquals(0, s.termSignal());
    }

    @Test
    void tai64n_stamp_converts_to_unix_time_minus_the_37_second_offset() {
        // TAI64 0x400000006b09f7fd is 1795815421 past 2^62, i.e. Unix 1795815421 - 37
        assertEquals(1795815421L, 0x6b09f7fdL);
        SupervisorStatus s = SupervisorStatus.parse(hex(AFTER_SVC_D_211));
        assertEquals(Instant.ofEpochSecond(1795815384L, 0x3889c4feL), s.stamp());
        assertEquals(948552958, s.stamp().getNano());
        assertEquals(Instant.ofEpochSecond(1795815384L, 0x39b2ba00L), s.readyStamp());
        assertEquals("@400000006b09f7fd3889c4fe", s.stampLabel());
    }

    @Test
    void tai64n_label_is_what_s6_svstat_prints() {
        byte[] b = hex("40000000 6b09f7fd 2fab8969");
        assertEquals("@400000006b09f7fd2fab8969", Tai64n.label(b, 0));
        assertEquals(25, Tai64n.label(b, 0).length());
        byte[] padded = hex("ffff 40000000 6b09f7fd 2fab8969");
        assertEquals("@400000006b09f7fd2fab8969", Tai64n.label(padded, 2));
    }

    @Test
    void tai64n_unix_epoch() {
        // 2^62 + 0 + 37 = 0x4000000000000025
        assertEquals(Instant.EPOCH, Tai64n.toInstant(hex("40000000 00000025 00000000"), 0));
    }

    @Test
    void up_on_2_13_reads_pgid_and_the_flags_at_their_own_offsets() {
        byte[] b = hex(UP_213);
        assertEquals(43, b.length);
        SupervisorStatus s = SupervisorStatus.parse(b);
        assertEquals(0x46e7, s.pid());
        assertEquals(18151, s.pid());
        assertEquals(0x46e7, s.pgid());
        assertEquals(0, s.wstat());
        assertTrue(s.up());
        assertTrue(s.wantUp());
        assertFalse(s.ready());
        assertEquals(Instant.ofEpochSecond(0x6b09f8f0L - 37, 0x03052ceeL), s.stamp());
        assertEquals("@400000006b09f8f003052cee", s.stampLabel());
    }

    @Test
    void down_after_sigterm_on_2_13() {
        SupervisorStatus s = SupervisorStatus.parse(hex(DOWN_SIGTERM_213));
        assertEquals(0, s.pid());
        assertEquals(0, s.pgid());
        assertFalse(s.up());
        assertFalse(s.wantUp());
        assertTrue(s.ready());
        assertFalse(s.exited());
        assertEquals(15, s.termSignal());
    }

    @Test
    void not_started_yet_on_2_13_is_paused_and_down() {
        SupervisorStatus s = SupervisorStatus.parse(hex(NOT_STARTED_213));
        assertTrue(s.paused());
        assertFalse(s.up());
        assertFalse(s.wantUp());
    }

    @Test
    void finishing_is_not_up_even_with_a_pid() {
        // while finish runs, s6 reports finish's pid; flags: finishing (2) + wantup (4)
        SupervisorStatus s = SupervisorStatus.parse(hex(STAMPS_UP + " | 00000000 00001d00 | 0100 | 06"));
        assertEquals(0x1d00, s.pid());
        assertTrue(s.finishing());
        assertFalse(s.up());
        assertTrue(s.exited());
        assertEquals(1, s.exitCode());
    }

    @Test
    void large_exit_code_and_signal_with_core_bit() {
        SupervisorStatus exited = SupervisorStatus.parse(hex(STAMPS_UP + " | 00000000 00000000 | ff00 | 00"));
        assertTrue(exited.exited());
        assertEquals(255, exited.exitCode());
        // SIGSEGV with the core-dump bit (0x80)
        SupervisorStatus cored = SupervisorStatus.parse(hex(STAMPS_UP + " | 00000000 00000000 | 008b | 00"));
        assertFalse(cored.exited());
        assertEquals(11, cored.termSignal());
        assertEquals("SIGSEGV", Signals.name(cored.termSignal()));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 24, 34, 36, 42, 44, 100})
    void wrong_lengths_are_rejected_with_a_clear_message(int length) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SupervisorStatus.parse(new byte[length]));
        assertTrue(e.getMessage().contains(length + " bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("35") && e.getMessage().contains("43"), e.getMessage());
    }

    @Test
    void signal_names() {
        assertEquals("SIGKILL", Signals.name(9));
        assertEquals("SIGINT", Signals.name(2));
        assertEquals("SIGSYS", Signals.name(31));
        assertEquals("SIG34", Signals.name(34));
        assertEquals("SIG0", Signals.name(0));
    }
}

package io.warden.reliability;

/**
 * The one-line figures the reliability suite prints for docs/RELIABILITY.md:
 * {@code RELIABILITY | <case> | runs: <runs> | outcome: <outcome>}. {@code grep '^RELIABILITY |'} over the
 * failsafe output (target/failsafe-reports/*-output.txt) collects them.
 */
final class Figures {
    private Figures() {
    }

    static void print(String kase, String runs, String outcome) {
        System.out.println("RELIABILITY | " + kase + " | runs: " + runs + " | outcome: " + outcome);
        System.out.flush();
    }
}

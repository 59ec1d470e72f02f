package io.warden.s6;

/** Linux signal numbers to names, for what s6 reports in a wait status. */
public final class Signals {
    private static final String[] NAMES = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
            "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
            "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
            "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

    public static final int SIGKILL = 9;

    private Signals() {
    }

    public static String name(int signo) {
        return signo > 0 && signo < NAMES.length ? NAMES[signo] : "SIG" + signo;
    }
}

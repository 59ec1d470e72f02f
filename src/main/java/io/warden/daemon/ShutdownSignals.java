package io.warden.daemon;

import org.tinylog.Logger;
import sun.misc.Signal;

import java.util.function.Consumer;

/**
 * Takes SIGTERM and SIGINT with {@code sun.misc.Signal}: the handler runs on a fresh Java thread and only hands the
 * signal's name to the daemon's loop, which decides. (jnr-posix's signal() stops firing after a garbage
 * collection, and a shutdown hook cannot tell the JVM to keep running while the cause is recorded.)
 * SIGHUP is logged and otherwise ignored: warden has no configuration to reload, and a stray HUP must not stop it.
 * SIGQUIT stays the JVM's: a thread dump on stdout, nothing else.
 */
final class ShutdownSignals {
    private ShutdownSignals() {
    }

    public static void install(Consumer<String> onShutdownSignal) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), s -> onShutdownSignal.accept("SIG" + s.getName()));
        }
        Signal.handle(new Signal("HUP"), s -> Logger.info("SIGHUP received: ignored (warden has nothing to reload)"));
    }
}

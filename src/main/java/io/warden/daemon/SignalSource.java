package io.warden.daemon;

import java.util.function.Consumer;

/** Where warden's own stop signals come from ({@link ShutdownSignals} in production: SIGTERM and SIGINT). */
interface SignalSource {
    /** From now on each stop signal's name ({@code SIGTERM}) goes to {@code onShutdownSignal}, on any thread. */
    void install(Consumer<String> onShutdownSignal);
}

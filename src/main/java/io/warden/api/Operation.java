package io.warden.api;

/** The operations of protocol version 1. Reading ones are open to every local user; changing ones are not. */
public enum Operation {
    STATUS(false), CHECK(false), HISTORY(false), LIST(false), WATCH(false), METRICS(false), START(true), STOP(true), RESTART(true), REMOVE(true);

    private final boolean changesIntent;

    Operation(boolean changesIntent) {
        this.changesIntent = changesIntent;
    }

    public boolean changesIntent() {
        return changesIntent;
    }

    public String wire() {
        return name().toLowerCase();
    }

    public static Operation fromWire(String s) {
        for (Operation o : values()) {
            if (o.wire().equals(s)) return o;
        }
        return null;
    }

    public static String list() {
        StringBuilder sb = new StringBuilder();
        for (Operation o : values()) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(o.wire());
        }
        return sb.toString();
    }
}

package io.warden.state;

/** What the user wants of the gateway: running or not. */
public enum IntentState {
    UP, DOWN;

    public String wire() {
        return name().toLowerCase();
    }

    public static IntentState fromWire(String s) {
        switch (s) {
            case "up": return UP;
            case "down": return DOWN;
            default: throw new IllegalArgumentException("intent must be 'up' or 'down', not '" + s + "'");
        }
    }
}

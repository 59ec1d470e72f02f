package io.warden.state;

/** Who set an intent: warden's configured default at first boot, or a user's explicit command. */
public enum IntentSource {
    DEFAULT, USER;

    public String wire() {
        return name().toLowerCase();
    }

    public static IntentSource fromWire(String s) {
        switch (s) {
            case "default": return DEFAULT;
            case "user": return USER;
            default: throw new IllegalArgumentException("intent source must be 'default' or 'user', not '" + s + "'");
        }
    }
}

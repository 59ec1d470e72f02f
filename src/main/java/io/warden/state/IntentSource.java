package io.warden.state;

/**
 * Who set an intent: warden's configured default at first boot, a user's explicit command, or an import of the
 * decision another supervisor kept on the volume ({@code WARDEN_IMPORT}, once, at a service's first boot).
 */
public enum IntentSource {
    DEFAULT, USER, IMPORTED;

    public String wire() {
        return name().toLowerCase();
    }

    public static IntentSource fromWire(String s) {
        switch (s) {
            case "default": return DEFAULT;
            case "user": return USER;
            case "imported": return IMPORTED;
            default: throw new IllegalArgumentException("intent source must be 'default', 'user' or 'imported', not '"
                    + s + "'");
        }
    }
}

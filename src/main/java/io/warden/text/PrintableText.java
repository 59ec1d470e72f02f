package io.warden.text;

/**
 * The one rule for text a user gives (a {@code reason}): it must be printable, because it is later shown on
 * terminals and written to logs. A control character (U+0000–U+001F, U+007F–U+009F) could move the cursor, ring,
 * or forge a line there, so such text is refused where it enters; text stored before the rule existed is shown
 * with each control character escaped as a backslash, {@code u} and four hex digits ({@code \\u001b}
 * for ESC).
 */
public final class PrintableText {
    private PrintableText() {
    }

    /** True when {@code s} has no control character (null counts as printable: there is nothing to print). */
    public static boolean isPrintable(String s) {
        if (s == null) return true;
        for (int i = 0; i < s.length(); i++) {
            if (isControl(s.charAt(i))) return false;
        }
        return true;
    }

    /** {@code s} with every control character written as {@code \\u00XX}; null stays null. */
    public static String escape(String s) {
        if (s == null || isPrintable(s)) return s;
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isControl(c)) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.toString();
    }

    private static boolean isControl(char c) {
        return c <= 0x1F || (c >= 0x7F && c <= 0x9F);
    }
}

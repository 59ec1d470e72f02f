package io.warden.api;

/**
 * The one rule for text a user gives (a {@code --reason}): no control character (U+0000-U+001F, U+007F-U+009F).
 * New text with one is refused; text already stored is printed with each one escaped (backslash, u, four hex digits).
 */
public final class PrintableText {
    private PrintableText() {
    }

    public static boolean isPrintable(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (isControl(s.charAt(i))) return false;
        }
        return true;
    }

    public static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isControl(c)) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.toString();
    }

    private static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f);
    }
}

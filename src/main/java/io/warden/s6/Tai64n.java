package io.warden.s6;

import java.time.Instant;

/** skalibs' TAI64N stamps: 8 bytes of TAI seconds (2^62 + Unix seconds + 37 leap seconds today), 4 of nanoseconds. */
final class Tai64n {
    private static final long TAI_OFFSET = (1L << 62) + 37;

    private Tai64n() {
    }

    public static Instant toInstant(byte[] b, int off) {
        long secs = readLong(b, off) - TAI_OFFSET;
        long nanos = readInt(b, off + 8) & 0xffffffffL;
        return Instant.ofEpochSecond(secs, Math.min(nanos, 999_999_999L));
    }

    /** The stamp as s6 prints it ({@code @400000006b09f7fd2fab8969}): a stable label for one run. */
    public static String label(byte[] b, int off) {
        StringBuilder sb = new StringBuilder(25).append('@');
        for (int i = 0; i < 12; i++) {
            int v = b[off + i] & 0xff;
            sb.append(Character.forDigit(v >> 4, 16)).append(Character.forDigit(v & 0xf, 16));
        }
        return sb.toString();
    }

    static long readLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (b[off + i] & 0xff);
        return v;
    }

    static int readInt(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }
}

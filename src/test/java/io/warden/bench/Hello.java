package io.warden.bench;

/**
 * Baseline JVM for bench/run.sh: prints "hello" and exits, or with {@code idle} stays alive (RSS baseline).
 * Not a test (no *Test / *IT name).
 */
public final class Hello {
    private Hello() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println("hello");
        if (args.length > 0 && args[0].equals("idle")) {
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}

package io.warden.daemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * warden's s6 {@code finish} script names every way the daemon can end: each exit code of {@link DaemonExit} is
 * either a stop it passes quietly ({@code CLEAN}) or a failure with its own reason, never "unexpected exit", so the
 * line a user reads in the container's log matches the code the daemon chose.
 */
class FinishScriptTest {
    private static final Path FINISH = Path.of("s6-rootfs/warden/etc/s6-overlay/s6-rc.d/warden/finish");
    private static final Pattern ARM = Pattern.compile("^\\s*([0-9|]+)\\)\\s*why=", Pattern.MULTILINE);

    @Test
    void everyFailureCodeOfTheDaemonHasItsOwnReasonInTheFinishScript() throws IOException {
        Set<Integer> named = new TreeSet<>();
        Matcher m = ARM.matcher(Files.readString(FINISH));
        while (m.find()) {
            for (String code : m.group(1).split("\\|")) named.add(Integer.parseInt(code));
        }
        Map<String, Integer> missing = new TreeMap<>();
        for (Map.Entry<String, Integer> e : daemonExitCodes().entrySet()) {
            if (e.getValue() != DaemonExit.CLEAN && !named.contains(e.getValue())) missing.put(e.getKey(), e.getValue());
        }
        assertTrue(daemonExitCodes().size() >= 5, "DaemonExit's codes were read: " + daemonExitCodes());
        assertEquals(Map.of(), missing, "DaemonExit codes the finish script calls 'unexpected exit'");
    }

    @Test
    @Timeout(10)
    void aCleanEndPassesQuietlyWithoutThePause() throws Exception {
        Process p = new ProcessBuilder("sh", FINISH.toString(), String.valueOf(DaemonExit.CLEAN), "0")
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(2, TimeUnit.SECONDS), "a clean end must not wait out the retry pause");
        assertEquals(0, p.exitValue());
        assertEquals("", new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static Map<String, Integer> daemonExitCodes() {
        Map<String, Integer> codes = new TreeMap<>();
        for (Field f : DaemonExit.class.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (!Modifier.isStatic(mod) || !Modifier.isFinal(mod) || f.getType() != int.class) continue;
            try {
                codes.put(f.getName(), f.getInt(null));
            } catch (IllegalAccessException e) {
                throw new AssertionError("cannot read DaemonExit." + f.getName(), e);
            }
        }
        return codes;
    }
}

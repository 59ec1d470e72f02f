package io.warden.imports;

import io.warden.api.PrintableText;
import io.warden.json.Json;
import io.warden.json.JsonException;
import io.warden.state.ImportOrigin;
import io.warden.state.IntentState;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Hermes Agent volume ({@code HERMES_HOME}), read once to give each gateway its first intent by Hermes's own
 * boot decision (its {@code container_boot}, field notes HERMES-NOTES §1.6): {@code desired_state} first (started
 * only when it is {@code running}), then {@code gateway_state} ({@code running}, {@code draining} and
 * {@code degraded} start; anything else stays down). A missing or corrupt {@code gateway_state.json} gives
 * nothing. Read only: nothing here ever writes, creates or moves a file under {@code HERMES_HOME}.
 */
public final class HermesVolume {
    public static final String KIND = "hermes";
    public static final String STATE_FILE = "gateway_state.json";
    /** Hermes's own gateway state file is a few KiB; anything far larger is not one. */
    private static final int MAX_BYTES = 1 << 20;
    /** The gateway states Hermes reads as running: the #42675 fix's {@code running}, and #55397's drain states. */
    private static final Set<String> RUNNING_STATES = Set.of("running", "draining", "degraded");

    private final Path home;

    public HermesVolume(Path home) {
        this.home = home;
    }

    public Path home() {
        return home;
    }

    /** The root profile's state file (the default gateway's). */
    public Path rootFile() {
        return home.resolve(STATE_FILE);
    }

    /** A named profile's state file. */
    public Path profileFile(String profile) {
        return home.resolve("profiles").resolve(profile).resolve(STATE_FILE);
    }

    /**
     * The named profiles: every directory under {@code profiles/} except {@code default}, which Hermes skips too
     * (the root profile is the default gateway). Sorted; none when there is no {@code profiles/}.
     */
    public List<String> profiles() throws IOException {
        Path dir = home.resolve("profiles");
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(dir)) return names;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.equals("default") || name.startsWith(".") || !Files.isDirectory(p)) continue;
                names.add(name);
            }
        }
        Collections.sort(names);
        return names;
    }

    /** What one state file says: an intent and where it came from, or nothing and why. */
    public record Reading(IntentState intent, ImportOrigin origin, String why) {
        public boolean imports() {
            return intent != null;
        }
    }

    /** Hermes's decision for one profile's state file. Never throws for a bad file: that reads as nothing. */
    public Reading read(Path file) {
        String text;
        try {
            text = readText(file);
        } catch (NoSuchFileException e) {
            return new Reading(null, null, file + " does not exist");
        } catch (IOException e) {
            return new Reading(null, null, file + " cannot be read (" + e.getMessage() + ")");
        }
        if (text == null) return new Reading(null, null, file + " is not UTF-8 text or larger than " + MAX_BYTES + " bytes");
        Map<String, Object> data;
        try {
            data = Json.parseObject(text);
        } catch (JsonException e) {
            return new Reading(null, null, file + " is not a JSON object (" + e.getMessage() + ")");
        }
        Map<String, String> keys = new LinkedHashMap<>();
        Object desired = data.get("desired_state");
        IntentState intent;
        String why;
        if (desired != null) {
            keys.put("desired_state", shown(desired));
            intent = "running".equals(desired) ? IntentState.UP : IntentState.DOWN;
            why = "desired_state " + shown(desired);
        } else {
            Object gw = data.get("gateway_state");
            if (gw != null) keys.put("gateway_state", shown(gw));
            intent = gw instanceof String && RUNNING_STATES.contains(gw) ? IntentState.UP : IntentState.DOWN;
            why = gw == null ? "neither desired_state nor gateway_state (Hermes keeps such a gateway down)"
                    : "gateway_state " + shown(gw) + " and no desired_state";
        }
        return new Reading(intent, new ImportOrigin(KIND, file.toString(), keys), why);
    }

    /** A value as the file holds it, printable: a string as itself, anything else as JSON text. */
    private static String shown(Object v) {
        return PrintableText.escape(v instanceof String ? (String) v : Json.write(v));
    }

    /** The file's text, or null when it is too large or not UTF-8. */
    private static String readText(Path file) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        }
        if (bytes.length > MAX_BYTES) return null;
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}

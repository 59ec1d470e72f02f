package io.warden.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A templates folder for warden's several-services mode ({@code WARDEN_TEMPLATES}): each template holds the test
 * gateway's {@code run} and {@code finish}; sandboxes made here boot warden on it.
 */
final class TemplatesFolder {
    private final Path dir;

    TemplatesFolder(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    Path path() {
        return dir;
    }

    /** Adds the template {@code name} ({@code NAME@} for an instance template); returns its directory. */
    Path add(String name) throws IOException {
        Path t = Files.createDirectories(dir.resolve(name));
        copy("it/gateway-run", t.resolve("run"));
        copy("it/gateway-finish", t.resolve("finish"));
        return t;
    }

    /** A sandbox in {@code boxDir} whose warden keeps every template of this folder. */
    S6Sandbox sandbox(Path boxDir) throws IOException {
        return new S6Sandbox(Files.createDirectories(boxDir))
                .env("WARDEN_TEMPLATE", "")
                .env("WARDEN_TEMPLATES", dir.toString());
    }

    /** Copies a test resource to {@code to}, executable. */
    static void copy(String resource, Path to) throws IOException {
        try (InputStream in = TemplatesFolder.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IOException("missing test resource " + resource);
            Files.copy(in, to);
        }
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}

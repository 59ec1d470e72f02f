package io.warden.daemon;

import io.warden.config.Setting;
import io.warden.config.Settings;

import java.nio.file.Path;

/**
 * Where the daemon's paths are: the scandir, the state volume, the templates, the socket and the other /run paths
 * of {@link Settings}, each resolved under {@code root}. The production root is {@code /}, so every path is the
 * one configured; a test gives a temporary folder, and every default lands inside it.
 */
record FileSystemRoot(Path root, Settings settings) {
    static FileSystemRoot of(Settings settings) {
        return new FileSystemRoot(Path.of("/"), settings);
    }

    /** The path of a setting, under the root. */
    Path path(Setting s) {
        return resolve(settings.path(s));
    }

    /** {@code p} under the root; null stays null. */
    Path resolve(Path p) {
        if (p == null || root.getParent() == null) return p;
        return p.isAbsolute() ? root.resolve(p.getRoot().relativize(p)) : root.resolve(p);
    }
}

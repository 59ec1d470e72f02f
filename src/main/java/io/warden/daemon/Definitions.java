package io.warden.daemon;

import io.warden.config.Setting;
import io.warden.config.Settings;
import io.warden.s6.S6RcBootRecord;
import io.warden.s6.S6RcControl;
import io.warden.s6.S6RcSource;
import io.warden.s6.Scandir;
import io.warden.s6.TemplateCatalog;
import org.tinylog.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * What the services are defined from, read at boot: the image's s6-rc longruns warden keeps, and the templates
 * ({@code WARDEN_TEMPLATES}, or the one template of one-service mode).
 */
final class Definitions {
    private final Settings settings;
    private final FileSystemRoot files;

    Definitions(FileSystemRoot files) {
        this.settings = files.settings();
        this.files = files;
    }

    /**
     * The image's s6-rc longruns warden keeps ({@code WARDEN_S6RC}), read from where the stage-2 hook says the
     * image's source is, or from {@code WARDEN_S6_RC_SOURCE} when no hook ran. None in one-service mode.
     */
    S6RcKeeper s6rc(S6RcControl control, Scandir scandir, Processes processes, Consumer<Runnable> loop,
                    TimeSource time) throws IOException {
        Set<String> selection = settings.s6rcSelection();
        S6RcBootRecord boot = null;
        S6RcSource source = S6RcSource.none();
        if (!settings.oneServiceMode() && (selection == null || !selection.isEmpty())) {
            boot = S6RcBootRecord.read(files.path(Setting.S6RC_BOOT));
            Path src = boot != null && boot.source() != null ? boot.source() : files.path(Setting.S6_RC_SOURCE);
            Path bundles = boot != null && boot.bundles() != null ? boot.bundles()
                    : Files.isDirectory(src.resolve("user")) || src.getParent() == null ? src
                    : src.getParent().resolve("user-bundles.d");
            source = S6RcSource.read(src, bundles);
        }
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "warden-s6-rc");
            t.setDaemon(true);
            return t;
        });
        S6RcKeeper k = new S6RcKeeper(source, boot, selection, control, scandir, processes.table(), worker, loop, time);
        for (String r : k.refused()) Logger.warn("s6-rc longrun {} left to s6-rc: its name is not one warden keeps", r);
        if (!k.kept().isEmpty()) {
            Logger.info("s6-rc services kept from {}: {}{}", source.source(), String.join(" ", k.kept().keySet()),
                    k.hookRan() ? "" : " (no stage-2 hook ran at this boot: s6-rc started them whatever their intent;"
                            + " set S6_STAGE2_HOOK=/usr/local/lib/warden/stage2-hook)");
        }
        return k;
    }

    TemplateCatalog templates(S6RcKeeper s6rc) throws IOException {
        if (!settings.oneServiceMode() && !s6rc.kept().isEmpty() && !Files.isDirectory(files.path(Setting.TEMPLATES))) {
            Logger.info("no templates folder {}: the s6-rc services only", files.path(Setting.TEMPLATES));
            return TemplateCatalog.empty();
        }
        if (settings.oneServiceMode()) {
            Logger.info("one-service mode: {} from {} (WARDEN_TEMPLATE is set, WARDEN_TEMPLATES is not read)",
                    settings.service(), files.path(Setting.TEMPLATE));
            return TemplateCatalog.single(settings.service(), files.path(Setting.TEMPLATE));
        }
        TemplateCatalog c = TemplateCatalog.scan(files.path(Setting.TEMPLATES));
        if (!c.refused().isEmpty()) {
            // a name against the rule, or one of warden's own files on the volume: a configuration error of the
            // image, refused at start like WARDEN_SERVICE is, rather than a service silently left unmanaged
            throw new Settings.ConfigException("template names refused in " + files.path(Setting.TEMPLATES) + ": "
                    + String.join("; ", c.refused()));
        }
        return c;
    }
}

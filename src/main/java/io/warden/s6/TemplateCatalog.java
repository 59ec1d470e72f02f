package io.warden.s6;

import io.warden.state.ServiceName;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The read-only service templates warden installs from. In the templates folder every subdirectory {@code NAME} is
 * a service warden keeps and {@code NAME@} is an instance template (systemd's {@code name@.service}); a template
 * holding s6's own {@code down} file means the service's first intent is down.
 */
public final class TemplateCatalog {
    /**
     * One definition of a service warden keeps: a template directory warden installs from, or an s6-rc longrun
     * of the image's own source ({@code s6rc}: s6-rc installs and starts it, warden keeps its intent).
     */
    public record Template(String name, Path dir, boolean s6rc) {
        public Template(String name, Path dir) {
            this(name, dir, false);
        }

        /** An s6-rc longrun of the image, defined in {@code dir}. */
        public static Template s6rc(String name, Path dir) {
            return new Template(name, dir, true);
        }

        /** s6's {@code ./down} in the template: the service starts with intent down at its first boot. */
        public boolean downByDefault() {
            return !s6rc && Files.exists(dir.resolve("down"));
        }
    }

    private final Map<String, Template> services;
    private final Map<String, Template> instanceTemplates;
    private final List<String> refused;

    private TemplateCatalog(Map<String, Template> services, Map<String, Template> instanceTemplates,
                            List<String> refused) {
        this.services = services;
        this.instanceTemplates = instanceTemplates;
        this.refused = refused;
    }

    /** Every template in {@code folder}; names that break the naming rule are left out and listed in {@link #refused}. */
    public static TemplateCatalog scan(Path folder) throws IOException {
        Map<String, Template> services = new TreeMap<>();
        Map<String, Template> instances = new TreeMap<>();
        List<String> refused = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            throw new java.nio.file.NoSuchFileException(folder.toString(), null, "templates folder is missing");
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(folder)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || !Files.isDirectory(p)) continue;
                if (name.endsWith("@")) {
                    String base = name.substring(0, name.length() - 1);
                    String why = ServiceName.problem(base);
                    if (why != null || ServiceName.isInstance(base)) {
                        refused.add(p + ": " + (why != null ? why : "an instance template has one '@', at its end"));
                    } else {
                        instances.put(name, new Template(name, p));
                    }
                } else {
                    String why = ServiceName.problem(name);
                    if (why != null || ServiceName.isInstance(name)) {
                        refused.add(p + ": " + (why != null ? why : "'@' belongs to instances, made with warden start"));
                    } else {
                        services.put(name, new Template(name, p));
                    }
                }
            }
        }
        // the folder's listing order is the file system's: sorted, the refusal reads the same at every start
        java.util.Collections.sort(refused);
        return new TemplateCatalog(services, instances, refused);
    }

    /** No templates folder: an image whose services are all s6-rc's. */
    public static TemplateCatalog empty() {
        return new TemplateCatalog(new TreeMap<>(), new TreeMap<>(), List.of());
    }

    /** One-service mode ({@code WARDEN_TEMPLATE}): exactly {@code name}, from {@code dir}. */
    public static TemplateCatalog single(String name, Path dir) {
        Map<String, Template> one = new TreeMap<>();
        one.put(name, new Template(name, dir));
        return new TemplateCatalog(one, new TreeMap<>(), List.of());
    }

    /** The plain services, by name. */
    public Map<String, Template> services() {
        return services;
    }

    /** The template of {@code name}: its own for a plain service, {@code NAME@} for an instance; null when none. */
    public Template templateFor(String name) {
        if (ServiceName.isInstance(name)) return instanceTemplates.get(ServiceName.templateOf(name));
        return services.get(name);
    }

    public List<String> instanceTemplateNames() {
        return new ArrayList<>(instanceTemplates.keySet());
    }

    /** Template directories left out, each with why. */
    public List<String> refused() {
        return refused;
    }
}

package io.warden.state;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a boot ran: warden's version (its jar's {@code Implementation-Version}) and the image's
 * ({@code WARDEN_IMAGE_VERSION}); {@value #UNKNOWN} for either when it is not known.
 */
public record Versions(String warden, String image) {
    public static final String UNKNOWN = "unknown";

    public Versions {
        warden = warden == null || warden.isBlank() ? UNKNOWN : warden;
        image = image == null || image.isBlank() ? UNKNOWN : image;
    }

    /** This warden's version from its jar's manifest; unknown when run from classes (the unit tests). */
    public static String ofWarden() {
        return Versions.class.getPackage().getImplementationVersion();
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("warden", warden);
        m.put("image", image);
        return m;
    }

    /** "warden 0.1.0 to 0.2.0; image 1 to 2", naming only what changed. */
    public String changeTo(Versions to) {
        StringBuilder sb = new StringBuilder();
        if (!warden.equals(to.warden)) sb.append("warden from ").append(warden).append(" to ").append(to.warden);
        if (!image.equals(to.image)) {
            if (sb.length() > 0) sb.append("; ");
            sb.append("image from ").append(image).append(" to ").append(to.image);
        }
        return sb.toString();
    }
}

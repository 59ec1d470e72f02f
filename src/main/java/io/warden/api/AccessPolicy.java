package io.warden.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Who may change intent: uid 0, or a member of the group named by WARDEN_CONTROL_GROUP (as primary group or
 * listed in /etc/group). Everyone who can reach the socket may read.
 */
public final class AccessPolicy {
    private final String controlGroup;
    private final Path groupFile;

    public AccessPolicy(String controlGroup, Path groupFile) {
        this.controlGroup = controlGroup;
        this.groupFile = groupFile;
    }

    /** Null when allowed, otherwise the sentence the refusal carries. */
    public String refusal(Peer peer, Operation op) {
        if (!op.changesIntent() || peer.uid() == 0) return null;
        if (controlGroup != null && (controlGroup.equals(peer.group()) || listedMember(peer.user()))) return null;
        return "uid " + peer.uid() + " (" + peer.user() + ") may not " + op.wire() + " the gateway: changing intent"
                + " needs uid 0" + (controlGroup == null ? "" : " or membership of group '" + controlGroup + "'")
                + (controlGroup == null ? " (WARDEN_CONTROL_GROUP is not set)" : "");
    }

    private boolean listedMember(String user) {
        try {
            List<String> lines = Files.readAllLines(groupFile, StandardCharsets.UTF_8);
            for (String line : lines) {
                String[] f = line.split(":", -1);
                if (f.length < 4 || !f[0].equals(controlGroup)) continue;
                for (String member : f[3].split(",")) {
                    if (member.trim().equals(user)) return true;
                }
            }
        } catch (IOException e) {
            // membership that cannot be shown is not granted; the refusal names the uid
            return false;
        }
        return false;
    }
}

package io.warden.cli;

import io.warden.text.PrintableText;
import io.warden.api.SocketFolder;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;

/**
 * Who answers on the socket, from the kernel's credentials of the listening process ({@code SO_PEERCRED}): only
 * root, or this very user, is believed to be warden. Anyone else who put a socket at warden's path (a folder
 * another user could create first) is not asked anything: nothing is sent, so nothing can have changed, and no
 * answer of theirs is shown as warden's.
 */
final class DaemonIdentity {
    private DaemonIdentity() {
    }

    /** Throws (nothing was sent) unless the peer of {@code ch} runs as root or as this process's own uid. */
    static void check(SocketChannel ch, Path socket) throws CallFailure {
        UserPrincipal peer;
        try {
            peer = ch.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED).user();
        } catch (IOException | UnsupportedOperationException e) {
            throw new CallFailure(CallFailure.Stage.UNREACHABLE, "cannot tell who answers on " + socket + " ("
                    + e.getMessage() + "), so it is not trusted to be warden; nothing was sent");
        }
        try {
            UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
            // a name of digits is a uid number to the JDK's lookup when no user has that name
            if (peer.equals(lookup.lookupPrincipalByName("0"))
                    || peer.equals(lookup.lookupPrincipalByName(String.valueOf(SocketFolder.effectiveUid())))) {
                return;
            }
        } catch (IOException e) {
            throw new CallFailure(CallFailure.Stage.UNREACHABLE, "cannot look up uid 0 or this user ("
                    + e.getMessage() + "), so whoever answers on " + socket + " is not trusted; nothing was sent");
        }
        throw new CallFailure(CallFailure.Stage.UNREACHABLE, "the process that answers on " + socket + " runs as user "
                + PrintableText.escape(peer.getName()) + ", not as root or as you: it is not warden; nothing was sent");
    }
}

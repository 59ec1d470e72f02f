/** The small JSON reader and writer warden uses on the socket and the volume. */
package io.warden.json;

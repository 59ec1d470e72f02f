/** The event spine: one typed event per kind, stamped once, for the journal, the live stream and the metrics. */
package io.warden.event;

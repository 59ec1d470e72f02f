/**
 * s6 and s6-rc as warden sees them: the status file, the service directory, the control FIFO and its letters, the
 * scandir and its watcher, supervisor detection through /proc, the image's s6-rc source, the stage-2 hook's record,
 * s6-rc's own program, and other keepers' slots.
 */
package io.warden.s6;

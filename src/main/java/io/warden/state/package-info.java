/**
 * The state volume: the service naming rule (a name is a file here), intents, last shutdowns, the run record, the
 * journal, durable writes (temp, fsync, rename, directory fsync), the container stop's transaction and the lock.
 */
package io.warden.state;

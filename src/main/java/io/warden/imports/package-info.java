/** One-time imports of another supervisor's intents (a Hermes volume), read safely and at most once. */
package io.warden.imports;

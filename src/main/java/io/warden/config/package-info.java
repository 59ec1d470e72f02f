/** Settings from flags and environment variables, validated once, and the service naming rule. */
package io.warden.config;

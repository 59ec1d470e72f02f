/** Settings from flags and environment variables, validated once. */
package io.warden.config;

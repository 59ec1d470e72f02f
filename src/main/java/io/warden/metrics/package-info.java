/** Prometheus's text exposition format. */
package io.warden.metrics;

/**
 * The command line: argument parsing, the client of the socket (one request, one answer; or a subscription to
 * warden's events, which start, stop and restart follow while they wait), what each command prints and its exit
 * code ({@link io.warden.cli.ExitCode}).
 */
package io.warden.cli;

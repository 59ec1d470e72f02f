/**
 * The command line: argument parsing, the client of the socket, what each command prints and its exit code
 * ({@link io.warden.cli.ExitCode}).
 */
package io.warden.cli;

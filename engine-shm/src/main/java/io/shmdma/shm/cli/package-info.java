/**
 * The operator CLI, {@code shmdma}: read-only tables and JSON of the domains, devices, statistics, access pair
 * groups and error log in a shmdma directory, a live {@code watch}, and {@code clean} for directories whose
 * processes are all dead. Entry point: {@link io.shmdma.shm.cli.ShmdmaCli}; each command is one entry of
 * {@code Command}, holding its name, help, options and text and JSON renderers.
 */
package io.shmdma.shm.cli;

/**
 * The operator CLI, {@code shmdma}: read-only tables and JSON of the domains, devices, statistics, access pair
 * groups and error log in a shmdma directory, a live {@code watch}, and {@code clean} for directories whose
 * processes are all dead. Entry point: {@link io.shmdma.shm.cli.ShmdmaCli}.
 */
package io.shmdma.shm.cli;

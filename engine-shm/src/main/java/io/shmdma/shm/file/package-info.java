/**
 * Creating, opening, mapping and deleting the files of a shmdma directory, without path races: the one file
 * layer under the control segment, the domain segments and the rings. Entry point:
 * {@link io.shmdma.shm.file.ShmFiles}.
 */
package io.shmdma.shm.file;

package io.shmdma.shm.registry;

/**
 * One distinct error read from the control segment's error log.
 *
 * @param ownerPid                pid of the process that recorded it.
 * @param observationCount        how many times it was seen.
 * @param firstObservationEpochMs first time seen, epoch milliseconds.
 * @param lastObservationEpochMs  last time seen, epoch milliseconds.
 * @param encodedError            the error's text with its stack trace.
 */
public record ErrorLogEntry(
    long ownerPid,
    int observationCount,
    long firstObservationEpochMs,
    long lastObservationEpochMs,
    String encodedError)
{
}

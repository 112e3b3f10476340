package io.shmdma.shm.cli;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Units as the CLI prints them: times in local time to the millisecond, ages in ms, sizes in MiB.
 */
final class Formats
{
    private static final DateTimeFormatter LOCAL_TIME =
        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT).withZone(ZoneId.systemDefault());
    private static final double MIB = 1024.0 * 1024.0;

    private Formats()
    {
    }

    static String time(final long epochMs)
    {
        return 0 == epochMs ? "-" : LOCAL_TIME.format(Instant.ofEpochMilli(epochMs));
    }

    static String isoTime(final long epochMs)
    {
        return Instant.ofEpochMilli(epochMs).toString();
    }

    static String ageMs(final long ns)
    {
        return String.format(Locale.ROOT, "%,d ms", Snapshot.ageMs(ns));
    }

    static String durationMs(final long ns)
    {
        return String.format(Locale.ROOT, "%,d ms", TimeUnit.NANOSECONDS.toMillis(ns));
    }

    static String mib(final long bytes)
    {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / MIB);
    }

    static String count(final long value)
    {
        return String.format(Locale.ROOT, "%,d", value);
    }

    static String plural(final long count, final String singular, final String plural)
    {
        return count + " " + (count == 1 ? singular : plural);
    }
}

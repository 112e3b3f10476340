package io.shmdma.shm.driver;

import io.shmdma.shm.DomainSegment;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The domain segments the driver has mapped, counted by the vchans that use them: a segment is mapped when the first
 * vchan naming it is taken and unmapped when the last one is gone from its engine thread. Keyed by domain and
 * registration generation, so a domain that registered again under the same UUID (a new file) is never served from
 * the old mapping. Conductor thread only.
 */
final class DriverSegments implements AutoCloseable
{
    /**
     * A domain's registration.
     *
     * @param domainId   the domain.
     * @param generation its registry generation.
     */
    record Key(UUID domainId, long generation)
    {
    }

    private final Path dir;
    private final Map<Key, Counted> segments = new HashMap<>();

    DriverSegments(final Path dir)
    {
        this.dir = dir;
    }

    /**
     * Maps a domain's segment (opened without following links, its owner and header checked), or counts one more
     * user of the mapping held.
     *
     * @param key the domain's registration.
     * @return the segment.
     * @throws IllegalStateException naming the file when it cannot be mapped.
     */
    DomainSegment acquire(final Key key)
    {
        Counted counted = segments.get(key);
        if (counted == null)
        {
            counted = new Counted(DomainSegment.mapPeer(dir, key.domainId()));
            segments.put(key, counted);
        }
        counted.users++;
        return counted.segment;
    }

    /**
     * One user fewer; the last unmaps. Only once no engine thread runs a vchan that resolves in it.
     *
     * @param key the domain's registration.
     */
    void release(final Key key)
    {
        final Counted counted = segments.get(key);
        if (counted != null && --counted.users == 0)
        {
            segments.remove(key);
            counted.segment.close();
        }
    }

    /**
     * Checks every mapped segment's file still covers its mapping (a truncated one is marked broken: jobs naming it
     * fail with an invalid address instead of faulting).
     *
     * @param onTruncated told once about each segment found truncated.
     */
    void checkIntact(final Consumer<DomainSegment> onTruncated)
    {
        for (final Counted counted : segments.values())
        {
            if (counted.segment.isIntact() && !counted.segment.checkIntact())
            {
                onTruncated.accept(counted.segment);
            }
        }
    }

    /**
     * Mapped segments.
     *
     * @return the count.
     */
    int size()
    {
        return segments.size();
    }

    /** Unmaps every segment; only once no engine thread runs. */
    @Override
    public void close()
    {
        for (final Counted counted : segments.values())
        {
            counted.segment.close();
        }
        segments.clear();
    }

    private static final class Counted
    {
        private final DomainSegment segment;
        private int users;

        private Counted(final DomainSegment segment)
        {
            this.segment = segment;
        }
    }
}

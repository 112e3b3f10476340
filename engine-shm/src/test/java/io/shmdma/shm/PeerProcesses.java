package io.shmdma.shm;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The member JVMs one multi-process test starts and the fresh /dev/shm directory they share: closing ends
 * every one of them (and only them) and deletes the directory.
 */
final class PeerProcesses implements AutoCloseable
{
    private final ShmTestDirectory dir;
    private final List<PeerHandle> started = new ArrayList<>();

    PeerProcesses() throws IOException
    {
        dir = new ShmTestDirectory();
    }

    ShmTestDirectory dir()
    {
        return dir;
    }

    /** Starts a {@link PeerProcess} JVM, ended by {@link #close()}. */
    PeerHandle start(final String name) throws IOException
    {
        final PeerHandle peer = new PeerHandle(name);
        started.add(peer);
        return peer;
    }

    /** Every peer started, in order. */
    List<PeerHandle> all()
    {
        return Collections.unmodifiableList(started);
    }

    @Override
    public void close() throws IOException
    {
        for (final PeerHandle peer : started)
        {
            peer.close();
        }
        dir.close();
    }
}

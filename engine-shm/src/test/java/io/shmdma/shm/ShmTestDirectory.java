package io.shmdma.shm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A fresh directory under {@code /dev/shm} for one test, deleted with everything in it on close.
 */
public final class ShmTestDirectory implements AutoCloseable
{
    private final Path path;

    /**
     * Creates the directory.
     *
     * @throws IOException when it cannot be created.
     */
    public ShmTestDirectory() throws IOException
    {
        path = Files.createTempDirectory(Path.of("/dev/shm"), "shmdma-test-");
    }

    /**
     * The directory.
     *
     * @return its path.
     */
    public Path path()
    {
        return path;
    }

    @Override
    public void close() throws IOException
    {
        if (Files.exists(path))
        {
            try (Stream<Path> files = Files.walk(path))
            {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
    }

    @Override
    public String toString()
    {
        return path.toString();
    }
}

package io.shmdma.shm;

import io.shmdma.memory.DmaRegion;
import io.shmdma.memory.DomainMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.*;

class DomainSegmentTest
{
    private ShmTestDirectory dir;

    @BeforeEach
    void setUp() throws Exception
    {
        dir = new ShmTestDirectory();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        dir.close();
    }

    @Test
    void shouldShareBytesBetweenOwnerAndPeerMappings() throws Exception
    {
        final UUID domainId = UUID.randomUUID();
        try (DomainSegment own = DomainSegment.create(dir.path(), domainId, 1 << 20, false);
            DomainSegment peer = DomainSegment.mapPeer(dir.path(), domainId))
        {
            final DmaRegion region = own.memory().allocate(4096);
            region.buffer().putLong(8, 0x1122334455667788L);
            final DomainMemory peerMemory = peer.memory();
            final long offset = peerMemory.offsetOf(region.iova(8), 8);
            assertEquals(0x1122334455667788L,
                org.agrona.UnsafeApi.getLong(null, peerMemory.address(offset)));
            assertEquals(DomainSegmentDescriptor.IOVA_BASE, own.memory().iovaBase());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(own.file())));
        }
        assertFalse(Files.exists(DomainSegmentDescriptor.file(dir.path(), domainId)), "owner deletes its file");
    }

    @Test
    void shouldCreateGroupSharedFiles() throws Exception
    {
        try (DomainSegment own = DomainSegment.create(dir.path(), UUID.randomUUID(), 4096, true))
        {
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(own.file())));
        }
    }

    @Test
    void shouldRefuseCorruptSegmentsNamingTheFile() throws Exception
    {
        final UUID domainId = UUID.randomUUID();
        final Path file = DomainSegmentDescriptor.file(dir.path(), domainId);

        Files.write(file, new byte[100]);
        assertRefused(domainId, file, "shorter than its header");

        writeSegment(domainId, file, raf -> raf.write("NOTSHMDM".getBytes()));
        assertRefused(domainId, file, "wrong marker");

        writeSegment(domainId, file, raf ->
        {
            raf.seek(DomainSegmentDescriptor.VERSION_OFFSET);
            raf.writeInt(Integer.reverseBytes(99));
        });
        assertRefused(domainId, file, "layout version 99");

        writeSegment(domainId, file, raf -> raf.setLength(DomainSegmentDescriptor.HEADER_LENGTH + 100));
        assertRefused(domainId, file, "truncated");

        writeSegment(domainId, file, raf -> { });
        final UUID otherDomain = UUID.randomUUID();
        final Path otherFile = DomainSegmentDescriptor.file(dir.path(), otherDomain);
        Files.copy(file, otherFile);
        assertRefused(otherDomain, otherFile, "belongs to domain " + domainId);
    }

    private interface Damage
    {
        void apply(RandomAccessFile raf) throws Exception;
    }

    private void writeSegment(final UUID domainId, final Path file, final Damage damage) throws Exception
    {
        Files.deleteIfExists(file);
        final Path other = dir.path().resolve("other");
        Files.createDirectories(other);
        try (DomainSegment segment = DomainSegment.create(other, domainId, 8192, false))
        {
            Files.copy(segment.file(), file);
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            damage.apply(raf);
        }
    }

    private void assertRefused(final UUID domainId, final Path file, final String text)
    {
        final IllegalStateException ex =
            assertThrows(IllegalStateException.class, () -> DomainSegment.mapPeer(dir.path(), domainId));
        assertTrue(ex.getMessage().contains(file.toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains(text), ex.getMessage());
    }
}

package io.shmdma.shm.registry;

import io.shmdma.Errno;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;

/**
 * The named region operations of the registry: publish and remove under the lock with its {@link FencedWriter},
 * and the lookups, which read without the lock inside a seqlock snapshot ({@link RegistryViews#read}). A lookup of
 * a peer's region requires the requester to share an active access pair group with that peer (-EPERM otherwise);
 * a domain may always look up its own. Removal on teardown is {@link RegionTable#freeOwnedBy}, called by
 * {@link DomainMutations#teardown}.
 */
final class NamedRegions
{
    private final SegmentReader reader;
    private final RegistryViews views;
    private final long incarnation;

    NamedRegions(final SegmentReader reader, final RegistryViews views, final long incarnation)
    {
        this.reader = reader;
        this.views = views;
        this.incarnation = incarnation;
    }

    /**
     * The UTF-8 bytes of a valid name.
     *
     * @param name a name.
     * @return its bytes, or null when it is null, empty or longer than {@link ControlSegmentDescriptor#MAX_NAME_LENGTH}
     *         bytes.
     */
    static byte[] nameBytes(final String name)
    {
        if (null == name || name.isEmpty())
        {
            return null;
        }
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        return bytes.length > MAX_NAME_LENGTH ? null : bytes;
    }

    /**
     * Publishes a region of a domain of this process under a name.
     *
     * @param writer     the lock holder's writer.
     * @param domainSlot the owning domain's slot.
     * @param name       valid name bytes.
     * @param iova       IOVA of the first byte.
     * @param length     bytes, positive.
     * @return the region slot, or -EINVAL (not an active domain of this process), -EEXIST (the domain already
     *         published that name), -ENOSPC (the table is full).
     */
    int publish(final FencedWriter writer, final int domainSlot, final byte[] name, final long iova, final long length)
    {
        if (!DomainTable.isOwnedActive(reader, domainSlot, incarnation))
        {
            return -Errno.EINVAL;
        }
        final long generation = DomainTable.generation(reader, domainSlot);
        if (RegionTable.find(reader, domainSlot, generation, new String(name, StandardCharsets.UTF_8)) >= 0)
        {
            return -Errno.EEXIST;
        }
        final int regionSlot = RegionTable.findFree(reader);
        if (regionSlot < 0)
        {
            return -Errno.ENOSPC;
        }
        writer.beginChange();
        RegionTable.publish(writer, regionSlot, domainSlot, generation, name, iova, length);
        writer.endChange();
        return regionSlot;
    }

    /**
     * Removes a region a domain of this process published.
     *
     * @param writer     the lock holder's writer.
     * @param domainSlot the owning domain's slot.
     * @param name       a valid name.
     * @return 0, or -EINVAL (not an active domain of this process), -ENOENT (no such region).
     */
    int unpublish(final FencedWriter writer, final int domainSlot, final String name)
    {
        if (!DomainTable.isOwnedActive(reader, domainSlot, incarnation))
        {
            return -Errno.EINVAL;
        }
        final int regionSlot = RegionTable.find(reader, domainSlot, DomainTable.generation(reader, domainSlot), name);
        if (regionSlot < 0)
        {
            return -Errno.ENOENT;
        }
        writer.beginChange();
        RegionTable.free(writer, regionSlot);
        writer.endChange();
        return 0;
    }

    /**
     * Looks up a peer's regions, in one seqlock snapshot.
     *
     * @param requesterSlot an active domain of this process.
     * @param peerDomainId  the peer's UUID (may be the requester's own).
     * @param name          a name, or null for every region of the peer.
     * @param into          receives the regions found.
     * @return 0, or -EINVAL (the requester is not an active domain of this process), -ENOENT (no active domain
     *         with that UUID, or, with a name, no region of that name), -EPERM (the requester shares no active
     *         group with the peer).
     */
    int lookup(final int requesterSlot, final UUID peerDomainId, final String name, final List<RegionView> into)
    {
        final List<RegionView> found = new ArrayList<>();
        final int rc = views.read(() ->
        {
            found.clear();
            if (!DomainTable.isOwnedActive(reader, requesterSlot, incarnation))
            {
                return -Errno.EINVAL;
            }
            final int peerSlot = DomainTable.findActive(reader, peerDomainId, 0);
            if (peerSlot < 0)
            {
                return -Errno.ENOENT;
            }
            final long peerGeneration = DomainTable.generation(reader, peerSlot);
            if (peerSlot != requesterSlot &&
                !sharesGroup(requesterSlot, DomainTable.generation(reader, requesterSlot), peerSlot, peerGeneration))
            {
                return -Errno.EPERM;
            }
            for (int regionSlot = 0; regionSlot < REGION_CAPACITY; regionSlot++)
            {
                if (RegionTable.isOwnedBy(reader, regionSlot, peerSlot, peerGeneration))
                {
                    final RegionView region = views.readRegion(regionSlot);
                    if (null != region && (null == name || name.equals(region.name())))
                    {
                        found.add(region);
                    }
                }
            }
            return null != name && found.isEmpty() ? -Errno.ENOENT : 0;
        });
        if (0 == rc)
        {
            into.addAll(found);
        }
        return rc;
    }

    private boolean sharesGroup(
        final int slotA, final long generationA, final int slotB, final long generationB)
    {
        for (int groupSlot = 0; groupSlot < GROUP_CAPACITY; groupSlot++)
        {
            if (GroupTable.state(reader, groupSlot) == GroupTable.ACTIVE &&
                MemberTable.find(reader, groupSlot, slotA, generationA) >= 0 &&
                MemberTable.find(reader, groupSlot, slotB, generationB) >= 0)
            {
                return true;
            }
        }
        return false;
    }
}

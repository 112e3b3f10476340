package io.shmdma.shm;

import io.shmdma.DmaDevice;
import io.shmdma.DmaException;
import io.shmdma.Errno;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.IntSupplier;

/**
 * The control-plane load of one peer process: each cycle creates a group, gets its own handler and destroys the
 * group, then joins another process's group, gets that creator's handler and leaves. Every call is timed.
 */
final class LoadCycles
{
    /** The timed calls, in the order of the answer. */
    static final String[] CALLS = { "create", "handler", "destroy", "join", "leave" };

    private final DmaDevice device;
    private final UUID self;
    private final long[][] samples = new long[CALLS.length][];
    private final int[] counts = new int[CALLS.length];
    private final Map<String, Integer> errors = new TreeMap<>();
    private final Map<Integer, Integer> leftByGroup = new TreeMap<>();

    LoadCycles(final DmaDevice device, final UUID self)
    {
        this.device = device;
        this.self = self;
    }

    /**
     * Runs the cycles.
     *
     * @param cycles  how many.
     * @param token   the token of the groups to join.
     * @param targets comma-separated {@code groupId:creatorDomain} of the groups to join, in turn.
     * @return {@code errors=<name:count,...> left=<group>:<leaves>;... create=<ns,...> handler=... destroy=...
     *         join=... leave=...}.
     */
    String run(final int cycles, final UUID token, final String targets)
    {
        final List<Integer> groups = new ArrayList<>();
        final List<UUID> creators = new ArrayList<>();
        for (final String target : targets.split(","))
        {
            final String[] parts = target.split(":");
            groups.add(Integer.parseInt(parts[0]));
            creators.add(UUID.fromString(parts[1]));
        }
        samples[0] = new long[cycles];
        samples[1] = new long[2 * cycles];
        for (int call = 2; call < CALLS.length; call++)
        {
            samples[call] = new long[cycles];
        }
        final UUID ownToken = UUID.randomUUID();
        for (int cycle = 0; cycle < cycles; cycle++)
        {
            final int own = timed(0, System.nanoTime(), () -> device.accessPairGroupCreate(self, ownToken, null));
            if (own >= 0)
            {
                timed(1, System.nanoTime(), () -> device.accessPairGroupHandlerGet(own, self));
                timed(2, System.nanoTime(), () ->
                {
                    device.accessPairGroupDestroy(own);
                    return 0;
                });
            }
            final int target = cycle % groups.size();
            final int groupId = groups.get(target);
            if (timed(3, System.nanoTime(), () ->
            {
                device.accessPairGroupJoin(self, token, groupId, null);
                return 0;
            }) == 0)
            {
                timed(1, System.nanoTime(), () -> device.accessPairGroupHandlerGet(groupId, creators.get(target)));
                if (timed(4, System.nanoTime(), () ->
                {
                    device.accessPairGroupLeave(groupId);
                    return 0;
                }) == 0)
                {
                    leftByGroup.merge(groupId, 1, Integer::sum);
                }
            }
        }
        final StringBuilder answer = new StringBuilder("errors=");
        answer.append(errors.isEmpty() ? "none" : errors.toString().replace(" ", ""));
        answer.append(" left=");
        leftByGroup.forEach((group, count) -> answer.append(group).append(':').append(count).append(';'));
        for (int call = 0; call < CALLS.length; call++)
        {
            answer.append(' ').append(CALLS[call]).append('=');
            for (int i = 0; i < counts[call]; i++)
            {
                answer.append(i == 0 ? "" : ",").append(samples[call][i]);
            }
        }
        return answer.toString();
    }

    private int timed(final int call, final long startNs, final IntSupplier operation)
    {
        try
        {
            final int result = operation.getAsInt();
            samples[call][counts[call]++] = System.nanoTime() - startNs;
            return result;
        }
        catch (final DmaException ex)
        {
            errors.merge(CALLS[call] + ":" + Errno.name(ex.errno()), 1, Integer::sum);
            return -1;
        }
    }
}

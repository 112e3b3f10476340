package io.shmdma.shm.cli;

import io.shmdma.DmaCapability;
import io.shmdma.shm.registry.DeviceInfoView;
import io.shmdma.shm.registry.DomainState;
import io.shmdma.shm.registry.DomainView;
import io.shmdma.shm.registry.ErrorLogEntry;
import io.shmdma.shm.registry.MemberView;
import io.shmdma.shm.registry.RegionView;

import java.util.Locale;

import static io.shmdma.shm.cli.Formats.*;

/**
 * The CLI's tables: one header line naming the directory, layout version and control segment creation, then
 * the command's table. Never prints a membership token, a group token or a token hash.
 */
final class TextReport
{
    private TextReport()
    {
    }

    static String header(final Snapshot snapshot)
    {
        return "shmdma " + snapshot.directory() + "  layout " + snapshot.layoutVersion() +
            "  created " + time(snapshot.createdEpochMs()) + " by pid " + snapshot.creatorPid() +
            "  control " + mib(snapshot.controlFileLength()) +
            "  read " + time(snapshot.takenEpochMs()) +
            "  liveness " + durationMs(snapshot.livenessTimeoutNs()) + "\n";
    }

    static String list(final Snapshot snapshot)
    {
        final TextTable table = new TextTable("DOMAIN", ">PID", "LIVENESS", ">HEARTBEAT", ">SEGMENT", ">DEV", "NAME");
        int devices = 0;
        for (final Snapshot.Domain domain : snapshot.domains())
        {
            final DomainView view = domain.view();
            if (domain.devices().isEmpty())
            {
                table.row(view.domainId(), view.pid(), liveness(domain.alive(), view.state()),
                    ageMs(view.heartbeatAgeNs()), mib(view.segmentSize()), "-", "-");
            }
            for (final Snapshot.Device device : domain.devices())
            {
                table.row(view.domainId(), view.pid(), liveness(domain.alive(), view.state()),
                    ageMs(view.heartbeatAgeNs()), mib(view.segmentSize()), device.counters().devId(),
                    device.counters().name());
                devices++;
            }
        }
        return table.render("") + plural(snapshot.domains().size(), "domain", "domains") + " (" +
            snapshot.aliveDomains().size() + " alive), " + plural(devices, "device", "devices") + "\n" +
            driver(snapshot);
    }

    /** The driver's line, when the directory has a driver file; nothing otherwise. */
    private static String driver(final Snapshot snapshot)
    {
        if (snapshot.driver() != null)
        {
            return snapshot.driver().summary() + "\n";
        }
        return snapshot.driverError() == null ? "" : "driver: unreadable: " + snapshot.driverError() + "\n";
    }

    static String info(final Snapshot snapshot)
    {
        if (snapshot.devices().isEmpty())
        {
            return "no devices\n";
        }
        final StringBuilder sb = new StringBuilder();
        for (final Snapshot.Device device : snapshot.devices())
        {
            if (sb.length() > 0)
            {
                sb.append('\n');
            }
            sb.append("dev ").append(device.counters().devId()).append(" '").append(device.counters().name())
                .append("'  domain ").append(owner(device)).append('\n');
            final DeviceInfoView info = device.info();
            if (null == info || !info.published())
            {
                sb.append("  (information not published yet by its process)\n");
                continue;
            }
            final String format = "  %-14s %s%n";
            sb.append(String.format(Locale.ROOT, format, "state", info.started() ? "started" : "stopped"));
            sb.append(String.format(Locale.ROOT, format, "nb_vchans", info.nbVchans()));
            sb.append(String.format(Locale.ROOT, format, "nb_priorities", info.nbPriorities()));
            sb.append(String.format(Locale.ROOT, format, "numa_node", info.numaNode()));
            sb.append(String.format(Locale.ROOT, format, "max_vchans", info.maxVchans()));
            sb.append(String.format(Locale.ROOT, format, "max_desc", info.maxDesc()));
            sb.append(String.format(Locale.ROOT, format, "min_desc", info.minDesc()));
            sb.append(String.format(Locale.ROOT, format, "max_sges", info.maxSges()));
            sb.append(String.format(Locale.ROOT, format, "capabilities", DmaCapability.names(info.capabilities())));
        }
        return sb.toString();
    }

    static String stats(final Snapshot snapshot)
    {
        final TextTable table = new TextTable(
            "DOMAIN", ">PID", ">DEV", "NAME", "STATE", ">SUBMITTED", ">COMPLETED", ">ERRORS", ">ENGINE ERRORS");
        for (final Snapshot.Device device : snapshot.devices())
        {
            table.row(null != device.owner() ? device.owner().domainId() : "?",
                null != device.owner() ? device.owner().pid() : "?",
                device.counters().devId(), device.counters().name(), state(device.info()),
                count(device.counters().submitted()), count(device.counters().completed()),
                count(device.counters().errors()), count(device.counters().engineErrors()));
        }
        return table.isEmpty() ? "no devices\n" :
            table.render("") + "over every vchan; completed counts failed jobs too; engine errors: faults in the " +
            "engine or the driver and rings found forged (details: shmdma errors)\n";
    }

    static String groups(final Snapshot snapshot)
    {
        if (snapshot.groups().isEmpty())
        {
            return "no access pair groups\n";
        }
        final StringBuilder sb = new StringBuilder();
        for (final Snapshot.Group group : snapshot.groups())
        {
            if (sb.length() > 0)
            {
                sb.append('\n');
            }
            sb.append("group ").append(group.view().groupId());
            if (!group.view().name().isEmpty())
            {
                sb.append("  name ").append(group.view().name());
            }
            sb.append("  generation ").append(group.view().generation())
                .append("  created ").append(time(group.view().createdEpochMs()))
                .append("  by ").append(group.view().creatorDomainId())
                .append("  ").append(plural(group.members().size(), "member", "members")).append('\n');
            final TextTable table = new TextTable(
                ">MEMBER", "ROLE", "DOMAIN", ">PID", ">HANDLER", ">HEARTBEAT", "LIVENESS");
            for (final Snapshot.Member member : group.members())
            {
                final MemberView view = member.view();
                table.row(view.memberSlot(), view.creator() ? "creator" : "joiner", view.domainId(),
                    null != member.domain() ? member.domain().pid() : "?", view.handler(),
                    ageMs(view.heartbeatAgeNs()), member.alive() ? "alive" : "dead");
            }
            sb.append(table.render("  "));
        }
        return sb.toString();
    }

    static String regions(final Snapshot snapshot)
    {
        final TextTable table = new TextTable("NAME", "DOMAIN", ">PID", ">IOVA", ">LENGTH", "PUBLISHED", "LIVENESS");
        for (final Snapshot.Region region : snapshot.regions())
        {
            final RegionView view = region.view();
            table.row(view.name(), view.domainId(), null != region.owner() ? region.owner().pid() : "?",
                "0x" + Long.toHexString(view.iova()), view.length(), time(view.publishedEpochMs()),
                region.alive() ? "alive" : "dead");
        }
        return table.isEmpty() ? "no named regions\n" : table.render("");
    }

    static String errors(final Snapshot snapshot)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(plural(snapshot.errors().size(), "distinct error", "distinct errors")).append('\n');
        for (final Snapshot.Device device : snapshot.devices())
        {
            if (device.counters().engineErrors() > 0)
            {
                sb.append("dev ").append(device.counters().devId()).append(" '").append(device.counters().name())
                    .append("' (pid ").append(null != device.owner() ? device.owner().pid() : "?").append("): ")
                    .append(plural(device.counters().engineErrors(), "engine error", "engine errors")).append('\n');
            }
        }
        int index = 1;
        for (final ErrorLogEntry entry : snapshot.errors())
        {
            sb.append('\n').append('[').append(index++).append("] ")
                .append(plural(entry.observationCount(), "observation", "observations"))
                .append(", first ").append(time(entry.firstObservationEpochMs()))
                .append(", last ").append(time(entry.lastObservationEpochMs()))
                .append(", pid ").append(entry.ownerPid()).append('\n');
            for (final String line : entry.encodedError().split("\\R"))
            {
                sb.append("    ").append(line.replace("\t", "    ").stripTrailing()).append('\n');
            }
        }
        return sb.toString();
    }

    static String watch(final Snapshot snapshot)
    {
        return "DOMAINS AND DEVICES\n" + list(snapshot) + "\nSTATS\n" + stats(snapshot) + "\nGROUPS\n" +
            groups(snapshot);
    }

    static String liveness(final boolean alive, final DomainState state)
    {
        if (state == DomainState.DEAD)
        {
            return "dead (being torn down)";
        }
        return alive ? "alive" : "dead";
    }

    private static String owner(final Snapshot.Device device)
    {
        final DomainView owner = device.owner();
        return null == owner ? "?" : owner.domainId() + " (pid " + owner.pid() + ", " +
            (device.alive() ? "alive" : "dead") + ")";
    }

    private static String state(final DeviceInfoView info)
    {
        return null == info || !info.published() ? "-" : info.started() ? "started" : "stopped";
    }
}

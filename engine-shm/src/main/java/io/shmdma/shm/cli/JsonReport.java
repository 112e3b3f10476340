package io.shmdma.shm.cli;

import io.shmdma.DmaCapability;
import io.shmdma.shm.driver.DriverStatus;
import io.shmdma.shm.registry.DeviceInfoView;
import io.shmdma.shm.registry.DomainView;
import io.shmdma.shm.registry.ErrorLogEntry;
import io.shmdma.shm.registry.MemberView;
import io.shmdma.shm.registry.RegionView;

/**
 * The CLI's {@code --json} output: one compact object per command (per refresh for watch), with the same header
 * fields as the text header and field names in DPDK telemetry's style ({@code nb_vchans}, {@code submitted},
 * a {@code capabilities} dictionary of 0/1). Never contains a membership token, a group token or a token hash.
 */
final class JsonReport
{
    private static final long[] CAPABILITY_BITS = {
        DmaCapability.MEM_TO_MEM, DmaCapability.MEM_TO_DEV, DmaCapability.DEV_TO_MEM, DmaCapability.DEV_TO_DEV,
        DmaCapability.SVA, DmaCapability.SILENT, DmaCapability.HANDLES_ERRORS, DmaCapability.M2D_AUTO_FREE,
        DmaCapability.PRI_POLICY_SP, DmaCapability.INTER_PROCESS_DOMAIN, DmaCapability.INTER_OS_DOMAIN,
        DmaCapability.OPS_COPY, DmaCapability.OPS_COPY_SG, DmaCapability.OPS_FILL, DmaCapability.OPS_ENQ_DEQ };

    private JsonReport()
    {
    }

    static String list(final Snapshot snapshot)
    {
        final JsonWriter json = begin(snapshot);
        domains(json, snapshot);
        driver(json, snapshot);
        return end(json);
    }

    /** {@code "driver"}: the directory's driver as its file shows it, or null; plus why it was unreadable. */
    private static void driver(final JsonWriter json, final Snapshot snapshot)
    {
        final DriverStatus driver = snapshot.driver();
        json.name("driver");
        if (driver == null)
        {
            json.value((String)null);
        }
        else
        {
            json.beginObject()
                .field("pid", driver.pid())
                .field("alive", driver.alive())
                .field("heartbeat_age_ms", driver.heartbeatAgeMs())
                .field("engine_threads", driver.engineThreads())
                .field("vchan_slots_in_use", driver.slots().size())
                .endObject();
        }
        if (snapshot.driverError() != null)
        {
            json.field("driver_error", snapshot.driverError());
        }
    }

    static String info(final Snapshot snapshot)
    {
        final JsonWriter json = begin(snapshot);
        json.name("devices").beginArray();
        for (final Snapshot.Device device : snapshot.devices())
        {
            json.beginObject();
            deviceIdentity(json, device);
            final DeviceInfoView info = device.info();
            final boolean published = null != info && info.published();
            json.field("state", published ? (info.started() ? "started" : "stopped") : "unknown");
            if (published)
            {
                json.field("nb_vchans", info.nbVchans())
                    .field("nb_priorities", info.nbPriorities())
                    .field("numa_node", info.numaNode())
                    .field("max_vchans", info.maxVchans())
                    .field("max_desc", info.maxDesc())
                    .field("min_desc", info.minDesc())
                    .field("max_sges", info.maxSges())
                    .field("dev_capa", info.capabilities());
                json.name("capabilities").beginObject();
                for (final long bit : CAPABILITY_BITS)
                {
                    json.field(DmaCapability.name(bit), (info.capabilities() & bit) != 0 ? 1 : 0);
                }
                json.endObject();
            }
            json.endObject();
        }
        json.endArray();
        return end(json);
    }

    static String stats(final Snapshot snapshot)
    {
        final JsonWriter json = begin(snapshot);
        stats(json, snapshot);
        return end(json);
    }

    static String groups(final Snapshot snapshot)
    {
        final JsonWriter json = begin(snapshot);
        groups(json, snapshot);
        return end(json);
    }

    static String regions(final Snapshot snapshot)
    {
        final JsonWriter json = begin(snapshot);
        json.name("regions").beginArray();
        for (final Snapshot.Region region : snapshot.regions())
        {
            final RegionView view = region.view();
            json.beginObject()
                .field("name", view.name())
                .field("domain_id", view.domainId().toString())
                .field("pid", null != region.owner() ? region.owner().pid() : -1)
                .field("alive", region.alive())
                .field("iova", view.iova())
                .field("length", view.length())
                .field("published_epoch_ms", view.publishedEpochMs())
                .endObject();
        }
        json.endArray();
        return end(json);
    }

    static String errors(final Snapshot snapshot)
    {
        final JsonWriter json = begin(snapshot);
        json.field("distinct_errors", snapshot.errors().size());
        json.name("engine_errors").beginArray();
        for (final Snapshot.Device device : snapshot.devices())
        {
            json.beginObject();
            deviceIdentity(json, device);
            json.field("engine_errors", device.counters().engineErrors()).endObject();
        }
        json.endArray();
        json.name("errors").beginArray();
        for (final ErrorLogEntry entry : snapshot.errors())
        {
            json.beginObject()
                .field("pid", entry.ownerPid())
                .field("observation_count", entry.observationCount())
                .field("first_observation_epoch_ms", entry.firstObservationEpochMs())
                .field("first_observation", Formats.isoTime(entry.firstObservationEpochMs()))
                .field("last_observation_epoch_ms", entry.lastObservationEpochMs())
                .field("last_observation", Formats.isoTime(entry.lastObservationEpochMs()))
                .field("text", entry.encodedError())
                .endObject();
        }
        json.endArray();
        return end(json);
    }

    static String watch(final Snapshot snapshot)
    {
        final JsonWriter json = begin(snapshot);
        domains(json, snapshot);
        driver(json, snapshot);
        stats(json, snapshot);
        groups(json, snapshot);
        return end(json);
    }

    static JsonWriter begin(final Snapshot snapshot)
    {
        return new JsonWriter().beginObject()
            .field("directory", snapshot.directory().toString())
            .field("control_file", snapshot.controlFile().toString())
            .field("layout_version", snapshot.layoutVersion())
            .field("created_epoch_ms", snapshot.createdEpochMs())
            .field("created", Formats.isoTime(snapshot.createdEpochMs()))
            .field("creator_pid", snapshot.creatorPid())
            .field("control_file_bytes", snapshot.controlFileLength())
            .field("taken_epoch_ms", snapshot.takenEpochMs())
            .field("liveness_timeout_ms", snapshot.livenessTimeoutNs() / 1_000_000);
    }

    static String end(final JsonWriter json)
    {
        return json.endObject() + "\n";
    }

    private static void domains(final JsonWriter json, final Snapshot snapshot)
    {
        json.name("domains").beginArray();
        for (final Snapshot.Domain domain : snapshot.domains())
        {
            final DomainView view = domain.view();
            json.beginObject()
                .field("domain_id", view.domainId().toString())
                .field("slot", view.slot())
                .field("pid", view.pid())
                .field("state", view.state().name())
                .field("alive", domain.alive())
                .field("heartbeat_age_ms", Snapshot.ageMs(view.heartbeatAgeNs()))
                .field("segment_file", view.segmentFileName())
                .field("segment_bytes", view.segmentSize())
                .field("registered_epoch_ms", view.registeredEpochMs());
            json.name("devices").beginArray();
            for (final Snapshot.Device device : domain.devices())
            {
                json.beginObject()
                    .field("dev_id", device.counters().devId())
                    .field("name", device.counters().name())
                    .endObject();
            }
            json.endArray().endObject();
        }
        json.endArray();
    }

    private static void stats(final JsonWriter json, final Snapshot snapshot)
    {
        json.name("stats").beginArray();
        for (final Snapshot.Device device : snapshot.devices())
        {
            json.beginObject();
            deviceIdentity(json, device);
            json.field("submitted", device.counters().submitted())
                .field("completed", device.counters().completed())
                .field("errors", device.counters().errors())
                .field("engine_errors", device.counters().engineErrors())
                .endObject();
        }
        json.endArray();
    }

    private static void groups(final JsonWriter json, final Snapshot snapshot)
    {
        json.name("groups").beginArray();
        for (final Snapshot.Group group : snapshot.groups())
        {
            json.beginObject()
                .field("group_id", group.view().groupId())
                .field("name", group.view().name())
                .field("generation", group.view().generation())
                .field("created_epoch_ms", group.view().createdEpochMs())
                .field("creator_domain_id", String.valueOf(group.view().creatorDomainId()));
            json.name("members").beginArray();
            for (final Snapshot.Member member : group.members())
            {
                final MemberView view = member.view();
                json.beginObject()
                    .field("member_slot", view.memberSlot())
                    .field("role", view.creator() ? "creator" : "joiner")
                    .field("domain_id", view.domainId().toString())
                    .field("pid", null != member.domain() ? member.domain().pid() : -1)
                    .field("handler", view.handler())
                    .field("heartbeat_age_ms", Snapshot.ageMs(view.heartbeatAgeNs()))
                    .field("alive", member.alive())
                    .endObject();
            }
            json.endArray().endObject();
        }
        json.endArray();
    }

    private static void deviceIdentity(final JsonWriter json, final Snapshot.Device device)
    {
        final DomainView owner = device.owner();
        json.field("domain_id", null != owner ? owner.domainId().toString() : null)
            .field("pid", null != owner ? owner.pid() : -1)
            .field("alive", device.alive())
            .field("dev_id", device.counters().devId())
            .field("name", device.counters().name());
    }
}

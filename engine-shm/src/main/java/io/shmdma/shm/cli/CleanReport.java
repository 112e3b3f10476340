package io.shmdma.shm.cli;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What {@code shmdma clean} prints: the files removed (or, in a dry run, to be removed), the domains that kept the
 * directory, and the one-line reason when it did not remove the directory.
 */
final class CleanReport
{
    private CleanReport()
    {
    }

    static String text(final Snapshot snapshot, final DirectoryCleaner.Result result)
    {
        final StringBuilder sb = new StringBuilder();
        if (!result.alive().isEmpty())
        {
            sb.append(Formats.plural(result.alive().size(), "domain is", "domains are")).append(" alive:\n");
            final TextTable alive = new TextTable("DOMAIN", ">PID", "WHY ALIVE");
            for (final DirectoryCleaner.AliveDomain domain : result.alive())
            {
                alive.row(domain.view().domainId(), domain.view().pid(), domain.reason());
            }
            sb.append(alive.render("  ")).append('\n');
        }
        final String action = result.dryRun() ? "would remove" : "removed";
        final TextTable table = new TextTable("ACTION", "FILE", ">SIZE", "WHAT");
        for (final DirectoryCleaner.Entry entry : result.removed())
        {
            table.row(action, entry.file().getFileName(), entry.bytes() < 0 ? "-" : Formats.mib(entry.bytes()),
                entry.what());
        }
        for (final DirectoryCleaner.Entry entry : result.kept())
        {
            table.row("kept", entry.file().getFileName(), entry.bytes() < 0 ? "-" : Formats.mib(entry.bytes()),
                entry.what());
        }
        if (result.directoryRemoved())
        {
            table.row(action, snapshot.directory() + "/", "-", "directory");
        }
        sb.append(table.isEmpty() ? "nothing to remove\n" : table.render(""));
        for (final String failure : result.failures())
        {
            sb.append("failed: ").append(failure).append('\n');
        }
        return sb.toString();
    }

    static String json(final Snapshot snapshot, final DirectoryCleaner.Result result)
    {
        final JsonWriter json = JsonReport.begin(snapshot)
            .field("dry_run", result.dryRun())
            .field("refused", !result.alive().isEmpty());
        json.name("alive_domains").beginArray();
        for (final DirectoryCleaner.AliveDomain domain : result.alive())
        {
            json.beginObject()
                .field("domain_id", domain.view().domainId().toString())
                .field("pid", domain.view().pid())
                .field("heartbeat_age_ms", Snapshot.ageMs(domain.view().heartbeatAgeNs()))
                .field("reason", domain.reason())
                .endObject();
        }
        json.endArray();
        entries(json, "removed", result.removed());
        entries(json, "kept", result.kept());
        json.name("failures").beginArray();
        result.failures().forEach(json::value);
        json.endArray();
        json.field("directory_removed", result.directoryRemoved())
            .field("abandoned", result.abandoned());
        return JsonReport.end(json);
    }

    /**
     * Why the directory was not (or, in a dry run, would not be) removed.
     *
     * @param snapshot the snapshot the clean judged by.
     * @param result   what the clean did.
     * @return one line, or null when the directory is gone (or would be).
     */
    static String refusal(final Snapshot snapshot, final DirectoryCleaner.Result result)
    {
        final String dir = snapshot.directory().toString();
        if (null != result.abandoned())
        {
            return "abandoned the clean of " + dir + ": " + result.abandoned() + "; run it again";
        }
        if (!result.alive().isEmpty())
        {
            final String who = result.alive().stream()
                .map(domain -> "pid " + domain.view().pid() + " (" + domain.reason() + ")")
                .collect(Collectors.joining(", "));
            final long deadFiles = result.removed().size();
            return (result.dryRun() ? "would refuse to remove " : "refusing to remove ") + dir + ": " +
                result.alive().size() + " of " + snapshot.domains().size() + " domains alive: " + who +
                (deadFiles > 0 ? "; " + (result.dryRun() ? "would remove " : "removed ") +
                Formats.plural(deadFiles, "file", "files") + " of dead domains" : "");
        }
        if (!result.failures().isEmpty())
        {
            return result.failures().get(0) + (result.failures().size() > 1 ?
                " (and " + (result.failures().size() - 1) + " more)" : "");
        }
        if (!result.kept().isEmpty())
        {
            return (result.dryRun() ? "would keep " : "kept ") + dir + ": it holds " +
                Formats.plural(result.kept().size(), "file", "files") + " shmdma did not make: " +
                names(result.kept());
        }
        return null;
    }

    private static void entries(final JsonWriter json, final String name, final List<DirectoryCleaner.Entry> entries)
    {
        json.name(name).beginArray();
        for (final DirectoryCleaner.Entry entry : entries)
        {
            json.beginObject()
                .field("file", entry.file().toString())
                .field("bytes", entry.bytes())
                .field("what", entry.what())
                .endObject();
        }
        json.endArray();
    }

    private static String names(final List<DirectoryCleaner.Entry> entries)
    {
        return entries.stream().limit(3).map(entry -> entry.file().getFileName().toString())
            .collect(Collectors.joining(", ")) + (entries.size() > 3 ? ", ..." : "");
    }
}

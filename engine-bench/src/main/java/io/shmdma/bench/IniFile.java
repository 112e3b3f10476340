package io.shmdma.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A minimal INI reader with the rules of DPDK's {@code rte_cfgfile}: {@code [section]} headers,
 * {@code key=value} lines, whitespace around keys and values trimmed, {@code ;} or {@code #} starting a comment
 * line (or a trailing comment after {@code ;}). Sections and keys keep their order; a key repeated in a section
 * or a section repeated is an error.
 */
public final class IniFile
{
    private final Map<String, Map<String, String>> sections;

    private IniFile(final Map<String, Map<String, String>> sections)
    {
        this.sections = sections;
    }

    /**
     * Parses INI text.
     *
     * @param reader the text; not closed.
     * @return the file.
     * @throws IOException              on a read error.
     * @throws IllegalArgumentException on a syntax error, with its line number.
     */
    public static IniFile parse(final Reader reader) throws IOException
    {
        final Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        final BufferedReader lines = new BufferedReader(reader);
        Map<String, String> current = null;
        String currentName = null;
        int lineNumber = 0;
        for (String line = lines.readLine(); line != null; line = lines.readLine())
        {
            lineNumber++;
            String text = line;
            final int comment = text.indexOf(';');
            if (comment >= 0)
            {
                text = text.substring(0, comment);
            }
            text = text.trim();
            if (text.isEmpty() || text.startsWith("#"))
            {
                continue;
            }
            if (text.startsWith("["))
            {
                if (!text.endsWith("]") || text.length() < 3)
                {
                    throw new IllegalArgumentException("line " + lineNumber + ": bad section header: " + line);
                }
                currentName = text.substring(1, text.length() - 1).trim();
                if (sections.containsKey(currentName))
                {
                    throw new IllegalArgumentException("line " + lineNumber + ": section repeated: " + currentName);
                }
                current = new LinkedHashMap<>();
                sections.put(currentName, current);
                continue;
            }
            final int equals = text.indexOf('=');
            if (equals <= 0)
            {
                throw new IllegalArgumentException("line " + lineNumber + ": expected key=value: " + line);
            }
            if (current == null)
            {
                throw new IllegalArgumentException("line " + lineNumber + ": key outside a section: " + line);
            }
            final String key = text.substring(0, equals).trim();
            final String value = text.substring(equals + 1).trim();
            if (current.put(key, value) != null)
            {
                throw new IllegalArgumentException(
                    "line " + lineNumber + ": key '" + key + "' repeated in [" + currentName + "]");
            }
        }
        return new IniFile(sections);
    }

    /**
     * Section names, in file order.
     *
     * @return the names.
     */
    public Set<String> sectionNames()
    {
        return Collections.unmodifiableSet(sections.keySet());
    }

    /**
     * Whether a section exists.
     *
     * @param section the name.
     * @return true when present.
     */
    public boolean hasSection(final String section)
    {
        return sections.containsKey(section);
    }

    /**
     * The entries of a section.
     *
     * @param section the name.
     * @return its keys and values in file order, empty when absent.
     */
    public Map<String, String> section(final String section)
    {
        final Map<String, String> entries = sections.get(section);
        return entries == null ? Collections.emptyMap() : Collections.unmodifiableMap(entries);
    }

    /**
     * One value.
     *
     * @param section the section.
     * @param key     the key.
     * @return the value, or null when absent.
     */
    public String get(final String section, final String key)
    {
        return section(section).get(key);
    }
}

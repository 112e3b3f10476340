package io.shmdma.shm.cli;

/**
 * A small streaming JSON writer (RFC 8259), compact, into a {@link StringBuilder}: objects, arrays, strings,
 * numbers, booleans and null. Keeps track of where commas go; the caller keeps the nesting balanced.
 */
final class JsonWriter
{
    private final StringBuilder out = new StringBuilder(1024);
    private boolean needsComma;

    JsonWriter beginObject()
    {
        separate();
        out.append('{');
        needsComma = false;
        return this;
    }

    JsonWriter endObject()
    {
        out.append('}');
        needsComma = true;
        return this;
    }

    JsonWriter beginArray()
    {
        separate();
        out.append('[');
        needsComma = false;
        return this;
    }

    JsonWriter endArray()
    {
        out.append(']');
        needsComma = true;
        return this;
    }

    /**
     * Writes a member name; the next value, object or array is its value.
     *
     * @param name the member name.
     * @return this.
     */
    JsonWriter name(final String name)
    {
        separate();
        string(name);
        out.append(':');
        needsComma = false;
        return this;
    }

    JsonWriter value(final String value)
    {
        separate();
        if (null == value)
        {
            out.append("null");
        }
        else
        {
            string(value);
        }
        needsComma = true;
        return this;
    }

    JsonWriter value(final long value)
    {
        separate();
        out.append(value);
        needsComma = true;
        return this;
    }

    JsonWriter value(final boolean value)
    {
        separate();
        out.append(value);
        needsComma = true;
        return this;
    }

    JsonWriter field(final String name, final String value)
    {
        return name(name).value(value);
    }

    JsonWriter field(final String name, final long value)
    {
        return name(name).value(value);
    }

    JsonWriter field(final String name, final boolean value)
    {
        return name(name).value(value);
    }

    @Override
    public String toString()
    {
        return out.toString();
    }

    private void separate()
    {
        if (needsComma)
        {
            out.append(',');
            needsComma = false;
        }
    }

    private void string(final String value)
    {
        out.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                case '\b':
                    out.append("\\b");
                    break;
                case '\f':
                    out.append("\\f");
                    break;
                default:
                    if (c < 0x20 || c == 0x2028 || c == 0x2029)
                    {
                        out.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}

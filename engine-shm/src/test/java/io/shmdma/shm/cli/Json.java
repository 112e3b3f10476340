package io.shmdma.shm.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON parser for tests (RFC 8259): checks that the CLI's hand-written JSON is well formed and gives it
 * back as maps, lists, strings, longs, doubles, booleans and null.
 */
final class Json
{
    private final String text;
    private int position;

    private Json(final String text)
    {
        this.text = text;
    }

    static Object parse(final String text)
    {
        final Json parser = new Json(text);
        parser.whitespace();
        final Object value = parser.value();
        parser.whitespace();
        if (parser.position != text.length())
        {
            throw parser.error("trailing characters");
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(final String text)
    {
        return (Map<String, Object>)parse(text);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> objects(final Object value)
    {
        return (List<Map<String, Object>>)value;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(final Object value)
    {
        return (Map<String, Object>)value;
    }

    private Object value()
    {
        if (position >= text.length())
        {
            throw error("value expected");
        }
        final char c = text.charAt(position);
        switch (c)
        {
            case '{': return objectValue();
            case '[': return arrayValue();
            case '"': return stringValue();
            case 't': return literal("true", Boolean.TRUE);
            case 'f': return literal("false", Boolean.FALSE);
            case 'n': return literal("null", null);
            default: return number();
        }
    }

    private Map<String, Object> objectValue()
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        position++;
        whitespace();
        if (peek() == '}')
        {
            position++;
            return map;
        }
        while (true)
        {
            whitespace();
            final String name = stringValue();
            whitespace();
            expect(':');
            whitespace();
            if (map.containsKey(name))
            {
                throw error("duplicate name " + name);
            }
            map.put(name, value());
            whitespace();
            if (peek() == ',')
            {
                position++;
                continue;
            }
            expect('}');
            return map;
        }
    }

    private List<Object> arrayValue()
    {
        final List<Object> list = new ArrayList<>();
        position++;
        whitespace();
        if (peek() == ']')
        {
            position++;
            return list;
        }
        while (true)
        {
            whitespace();
            list.add(value());
            whitespace();
            if (peek() == ',')
            {
                position++;
                continue;
            }
            expect(']');
            return list;
        }
    }

    private String stringValue()
    {
        expect('"');
        final StringBuilder sb = new StringBuilder();
        while (true)
        {
            if (position >= text.length())
            {
                throw error("unterminated string");
            }
            final char c = text.charAt(position++);
            if (c == '"')
            {
                return sb.toString();
            }
            if (c < 0x20)
            {
                throw error("control character in string");
            }
            if (c != '\\')
            {
                sb.append(c);
                continue;
            }
            final char escape = text.charAt(position++);
            switch (escape)
            {
                case '"':
                    sb.append('"');
                    break;
                case '\\':
                    sb.append('\\');
                    break;
                case '/':
                    sb.append('/');
                    break;
                case 'b':
                    sb.append('\b');
                    break;
                case 'f':
                    sb.append('\f');
                    break;
                case 'n':
                    sb.append('\n');
                    break;
                case 'r':
                    sb.append('\r');
                    break;
                case 't':
                    sb.append('\t');
                    break;
                case 'u':
                    sb.append((char)Integer.parseInt(text.substring(position, position + 4), 16));
                    position += 4;
                    break;
                default: throw error("bad escape \\" + escape);
            }
        }
    }

    private Object number()
    {
        final int start = position;
        while (position < text.length() && "+-0123456789.eE".indexOf(text.charAt(position)) >= 0)
        {
            position++;
        }
        final String number = text.substring(start, position);
        if (!number.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?"))
        {
            throw error("bad number '" + number + "'");
        }
        return number.matches("-?[0-9]+") ? (Object)Long.parseLong(number) : (Object)Double.parseDouble(number);
    }

    private Object literal(final String literal, final Object value)
    {
        if (!text.startsWith(literal, position))
        {
            throw error("bad literal");
        }
        position += literal.length();
        return value;
    }

    private void whitespace()
    {
        while (position < text.length() && " \t\r\n".indexOf(text.charAt(position)) >= 0)
        {
            position++;
        }
    }

    private char peek()
    {
        return position < text.length() ? text.charAt(position) : '\0';
    }

    private void expect(final char c)
    {
        if (peek() != c)
        {
            throw error("'" + c + "' expected");
        }
        position++;
    }

    private IllegalArgumentException error(final String what)
    {
        return new IllegalArgumentException(what + " at " + position + " in: " + text);
    }
}

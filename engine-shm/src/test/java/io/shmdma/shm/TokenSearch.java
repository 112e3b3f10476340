package io.shmdma.shm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Looks for a token in text and raw bytes in every form it could leak in: its string form (either case, with or
 * without dashes), each half in hex, its 16 raw bytes in big- and little-endian order, and each 8-byte half in
 * either order.
 */
final class TokenSearch
{
    private TokenSearch()
    {
    }

    static void assertAbsent(final UUID token, final String text, final String where)
    {
        final String lower = text.toLowerCase(Locale.ROOT);
        for (final String form : textForms(token))
        {
            if (lower.contains(form))
            {
                fail("the token appears (as " + form + ") in " + where + ": " + text);
            }
        }
    }

    static void assertAbsent(final UUID token, final byte[] bytes, final String where)
    {
        for (final String form : textForms(token))
        {
            final byte[] ascii = form.getBytes(StandardCharsets.US_ASCII);
            if (indexOf(bytes, ascii) >= 0 || indexOf(bytes, form.toUpperCase(Locale.ROOT)
                .getBytes(StandardCharsets.US_ASCII)) >= 0)
            {
                fail("the token's text " + form + " appears in " + where);
            }
        }
        final byte[] bigEndian = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN)
            .putLong(token.getMostSignificantBits()).putLong(token.getLeastSignificantBits()).array();
        final byte[] littleEndian = reversed(bigEndian);
        final List<byte[]> forms = new ArrayList<>(List.of(bigEndian, littleEndian));
        for (final long half : new long[]{ token.getMostSignificantBits(), token.getLeastSignificantBits() })
        {
            final byte[] halfBigEndian = ByteBuffer.allocate(8).putLong(half).array();
            forms.add(halfBigEndian);
            forms.add(reversed(halfBigEndian));
        }
        for (final byte[] form : forms)
        {
            final int at = indexOf(bytes, form);
            if (at >= 0)
            {
                fail("the token's raw bytes (" + form.length + " bytes) appear at offset " + at + " of " + where);
            }
        }
    }

    private static List<String> textForms(final UUID token)
    {
        final String text = token.toString().toLowerCase(Locale.ROOT);
        return List.of(text, text.replace("-", ""),
            String.format("%016x", token.getMostSignificantBits()),
            String.format("%016x", token.getLeastSignificantBits()));
    }

    private static byte[] reversed(final byte[] bytes)
    {
        final byte[] result = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++)
        {
            result[i] = bytes[bytes.length - 1 - i];
        }
        return result;
    }

    static int indexOf(final byte[] haystack, final byte[] needle)
    {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (haystack[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}

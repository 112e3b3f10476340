package io.shmdma.shm.registry;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * Salted SHA-256 of group tokens. A token is hashed as SHA-256(salt || most significant 8 bytes || least
 * significant 8 bytes, big-endian) and compared in constant time; the token itself is never stored.
 */
final class TokenHash
{
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenHash()
    {
    }

    /**
     * A new random salt.
     *
     * @return {@link ControlSegmentDescriptor#TOKEN_SALT_LENGTH} random bytes.
     */
    static byte[] newSalt()
    {
        final byte[] salt = new byte[ControlSegmentDescriptor.TOKEN_SALT_LENGTH];
        RANDOM.nextBytes(salt);
        return salt;
    }

    /**
     * A random non-zero 64-bit value, used for incarnation ids.
     *
     * @return the value.
     */
    static long newNonZeroRandom()
    {
        long value;
        do
        {
            value = RANDOM.nextLong();
        }
        while (0 == value);
        return value;
    }

    /**
     * Hashes a token with a salt.
     *
     * @param salt  the group's salt.
     * @param token the token.
     * @return the 32-byte hash.
     */
    static byte[] hash(final byte[] salt, final UUID token)
    {
        final MessageDigest digest = sha256();
        digest.update(salt);
        final byte[] tokenBytes = new byte[16];
        putLongBigEndian(tokenBytes, 0, token.getMostSignificantBits());
        putLongBigEndian(tokenBytes, 8, token.getLeastSignificantBits());
        digest.update(tokenBytes);
        java.util.Arrays.fill(tokenBytes, (byte)0);
        return digest.digest();
    }

    /**
     * Compares two hashes in constant time.
     *
     * @param expected the stored hash.
     * @param actual   the hash of the offered token.
     * @return true when equal.
     */
    static boolean matches(final byte[] expected, final byte[] actual)
    {
        return MessageDigest.isEqual(expected, actual);
    }

    private static MessageDigest sha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
        }
    }

    private static void putLongBigEndian(final byte[] bytes, final int offset, final long value)
    {
        for (int i = 0; i < Long.BYTES; i++)
        {
            bytes[offset + i] = (byte)(value >>> (56 - 8 * i));
        }
    }
}

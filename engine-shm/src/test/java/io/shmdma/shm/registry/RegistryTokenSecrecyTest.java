package io.shmdma.shm.registry;

import io.shmdma.DmaException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import static io.shmdma.shm.registry.RegistryTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class RegistryTokenSecrecyTest
{
    private final UUID token = UUID.randomUUID();
    private Path directory;
    private Path file;

    @BeforeEach
    void setUp()
    {
        directory = newTempDirectory();
        file = directory.resolve("control.shm");
    }

    @AfterEach
    void tearDown()
    {
        deleteRecursively(directory);
    }

    @Test
    void shouldNeverWriteOrPrintATokenInClear() throws Exception
    {
        final List<String> texts = new ArrayList<>();
        try (Registry creatorProcess = Registry.openOrCreate(file, testConfig());
            Registry joinerProcess = Registry.openOrCreate(file, testConfig()))
        {
            final int creator = register(creatorProcess, UUID.randomUUID());
            final int joiner = register(joinerProcess, UUID.randomUUID());
            final int groupId = creatorProcess.createGroup(creator, token);
            final UUID wrongToken = UUID.randomUUID();
            for (int i = 0; i < creatorProcess.config().joinLockoutAttempts() + 1; i++)
            {
                joinerProcess.joinGroup(joiner, wrongToken, groupId);
            }
            joinerProcess.errorLog().record(new IllegalStateException("an unrelated error"));
            texts.add(creatorProcess.toString());
            texts.add(creatorProcess.config().toString());
            creatorProcess.groups().forEach(group -> texts.add(group.toString()));
            creatorProcess.domains().forEach(domain -> texts.add(domain.toString()));
            joinerProcess.errorLogEntries().forEach(entry -> texts.add(entry.toString()));
            assertTrue(texts.stream().anyMatch(text -> text.contains("locked out")), "the lockout was logged");
            texts.add(creatorProcess.checkConsistency().toString());
        }
        Files.write(file, "garbage".getBytes(StandardCharsets.US_ASCII), java.nio.file.StandardOpenOption.WRITE);
        texts.add(assertThrows(DmaException.class, () -> Registry.openOrCreate(file, testConfig())).getMessage());

        for (final String text : texts)
        {
            assertFalse(text.toLowerCase(Locale.ROOT).contains(token.toString()), text);
            assertFalse(text.contains(Long.toHexString(token.getMostSignificantBits())), text);
        }
        final byte[] segment = Files.readAllBytes(file);
        final String asText = new String(segment, StandardCharsets.ISO_8859_1);
        assertFalse(asText.contains(token.toString()));
        assertEquals(-1, indexOf(segment, tokenBytes(ByteOrder.BIG_ENDIAN)));
        assertEquals(-1, indexOf(segment, tokenBytes(ByteOrder.LITTLE_ENDIAN)));
        assertEquals(-1, indexOf(segment, halfBytes(token.getMostSignificantBits(), ByteOrder.nativeOrder())));
        assertEquals(-1, indexOf(segment, halfBytes(token.getLeastSignificantBits(), ByteOrder.nativeOrder())));
    }

    private byte[] tokenBytes(final ByteOrder order)
    {
        return ByteBuffer.allocate(16).order(order)
            .putLong(token.getMostSignificantBits()).putLong(token.getLeastSignificantBits()).array();
    }

    private static byte[] halfBytes(final long value, final ByteOrder order)
    {
        return ByteBuffer.allocate(8).order(order).putLong(value).array();
    }

    private static int indexOf(final byte[] haystack, final byte[] needle)
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

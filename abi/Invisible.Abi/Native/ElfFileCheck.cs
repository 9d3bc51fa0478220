using System;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;

namespace Invisible.Abi.Native;

/// <summary>Is an ELF shared object whole before it is dlopen()ed? The dynamic loader maps each PT_LOAD segment
/// as its program header describes it and touches the pages while relocating: a file shorter than its headers
/// say (a copy cut short, a full disk) is SIGBUS inside dlopen, with no way back (CPython's ctypes dies the same
/// way). So every header and every loadable segment must lie inside the file. The same rule as libinvisible.so's
/// elf_file.c, which guards the runtime's own dlopen.</summary>
public static class ElfFileCheck
{
    private const int HeaderSize = 64, PhdrSize = 56, ShdrSize = 64;
    private const uint PtLoad = 1, PtDynamic = 2;

    /// <summary>Null when <paramref name="path"/> can be handed to dlopen without faulting; otherwise a one-line
    /// reason ("truncated (the file has 5,000 bytes, its headers need 16,384)"). A file that is not ELF at all is
    /// left to dlopen, which says so itself.</summary>
    public static string? Problem(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
            long size = file.Length;
            Span<byte> header = stackalloc byte[HeaderSize];
            if (size < 4 || Read(file, 0, header[..4]) < 4 || header[0] != 0x7f || header[1] != (byte)'E' ||
                header[2] != (byte)'L' || header[3] != (byte)'F')
                return null;
            if (size < HeaderSize || Read(file, 0, header) < HeaderSize)
                return Truncated(size, HeaderSize);
            if (header[4] != 2) // ELFCLASS64: dlopen refuses the rest with a message
                return null;
            ulong phoff = BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
            ulong shoff = BinaryPrimitives.ReadUInt64LittleEndian(header[40..]);
            int phentsize = BinaryPrimitives.ReadUInt16LittleEndian(header[54..]);
            int phnum = BinaryPrimitives.ReadUInt16LittleEndian(header[56..]);
            int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(header[58..]);
            int shnum = BinaryPrimitives.ReadUInt16LittleEndian(header[60..]);
            if (phentsize != PhdrSize || phnum == 0 || phnum == 0xffff)
                return "malformed program header table";
            if (!Inside(phoff, (ulong)phnum * PhdrSize, (ulong)size))
                return Truncated(size, phoff + (ulong)phnum * PhdrSize);
            if (shoff != 0 && shentsize == ShdrSize && !Inside(shoff, (ulong)shnum * ShdrSize, (ulong)size))
                return Truncated(size, shoff + (ulong)shnum * ShdrSize);
            Span<byte> ph = stackalloc byte[PhdrSize];
            for (int i = 0; i < phnum; i++)
            {
                if (Read(file, (long)phoff + (long)i * PhdrSize, ph) < PhdrSize)
                    return Truncated(size, phoff + (ulong)(i + 1) * PhdrSize);
                uint type = BinaryPrimitives.ReadUInt32LittleEndian(ph);
                if (type != PtLoad && type != PtDynamic)
                    continue;
                ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(ph[8..]);
                ulong filesz = BinaryPrimitives.ReadUInt64LittleEndian(ph[32..]);
                if (!Inside(offset, filesz, (ulong)size))
                    return Truncated(size, offset > ulong.MaxValue - filesz ? ulong.MaxValue : offset + filesz);
            }
            return null;
        }
        catch (IOException)
        {
            return null; // dlopen reports what it cannot open
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool Inside(ulong offset, ulong length, ulong size) => offset <= size && length <= size - offset;

    private static string Truncated(long have, ulong need) =>
        "truncated (the file has " + have.ToString("#,0", CultureInfo.InvariantCulture) + " bytes, its headers need " +
        need.ToString("#,0", CultureInfo.InvariantCulture) + ")";

    private static int Read(FileStream file, long offset, Span<byte> into)
    {
        file.Position = offset;
        int done = 0;
        while (done < into.Length)
        {
            int n = file.Read(into[done..]);
            if (n <= 0) break;
            done += n;
        }
        return done;
    }
}

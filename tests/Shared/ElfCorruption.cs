using System;
using System.Collections.Generic;

namespace Invisible.Tests.Shared;

/// <summary>Deterministic corruptions of an ELF shared object (offsets from its section headers, bytes from a
/// seeded generator): .debug_* bytes flipped or zeroed, section headers scrambled, the ELF header's section fields
/// changed, the symbol tables overwritten, the file cut short. None touches what the dynamic loader interprets
/// (program headers, .dynamic, relocations), except truncation, which ElfFileCheck must catch before dlopen.</summary>
public static class ElfCorruption
{
    public static readonly List<string> Names = new() { "debugflip", "debugzero", "sechdr", "ehdr", "symtab", "truncate" };

    public readonly record struct Section(string Name, long Offset, long Size, long HeaderOffset);

    public static List<Section> Sections(byte[] elf)
    {
        long shoff = BitConverter.ToInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3a), shnum = BitConverter.ToUInt16(elf, 0x3c), shstrndx = BitConverter.ToUInt16(elf, 0x3e);
        long strOffset = BitConverter.ToInt64(elf, (int)(shoff + shstrndx * shentsize + 0x18));
        var list = new List<Section>();
        for (int i = 0; i < shnum; i++)
        {
            int h = (int)(shoff + i * shentsize);
            int nameAt = (int)(strOffset + BitConverter.ToUInt32(elf, h));
            int end = Array.IndexOf(elf, (byte)0, nameAt);
            string name = System.Text.Encoding.ASCII.GetString(elf, nameAt, end - nameAt);
            uint type = BitConverter.ToUInt32(elf, h + 4);
            long size = type == 8 /* SHT_NOBITS */ ? 0 : BitConverter.ToInt64(elf, h + 0x20);
            list.Add(new Section(name, BitConverter.ToInt64(elf, h + 0x18), size, h));
        }
        return list;
    }

    public static byte[] Apply(string strategy, byte[] good, List<Section> sections, int seed)
    {
        var rnd = new Random(seed * 7919 + strategy.Length * 104729 + strategy[0]);
        byte[] b = (byte[])good.Clone();
        List<Section> debug = sections.FindAll(s => s.Name.StartsWith(".debug_", StringComparison.Ordinal) && s.Size > 0);
        switch (strategy)
        {
            case "debugflip":
                for (int i = 0; i < 1 + rnd.Next(64); i++)
                {
                    Section s = debug[rnd.Next(debug.Count)];
                    b[s.Offset + rnd.NextInt64(s.Size)] ^= (byte)(1 << rnd.Next(8));
                }
                break;
            case "debugzero":
            {
                Section s = debug[rnd.Next(debug.Count)];
                long start = rnd.NextInt64(s.Size), length = Math.Min(s.Size - start, 1 + rnd.Next(256));
                Array.Clear(b, (int)(s.Offset + start), (int)length);
                break;
            }
            case "sechdr":
                for (int i = 0; i < 1 + rnd.Next(4); i++)
                {
                    Section s = sections[1 + rnd.Next(sections.Count - 1)];
                    int field = new[] { 0x18, 0x20, 0x04, 0x38, 0x28 }[rnd.Next(5)]; // offset, size, type, entsize, link
                    long value = rnd.Next(3) switch { 0 => rnd.NextInt64(), 1 => good.Length + rnd.Next(1 << 20), _ => rnd.Next(64) };
                    if (field == 0x04 || field == 0x28) BitConverter.GetBytes((uint)value).CopyTo(b, (int)s.HeaderOffset + field);
                    else BitConverter.GetBytes(value).CopyTo(b, (int)s.HeaderOffset + field);
                }
                break;
            case "ehdr":
            {
                int field = new[] { 0x28, 0x3a, 0x3c, 0x3e }[rnd.Next(4)]; // e_shoff, e_shentsize, e_shnum, e_shstrndx
                if (field == 0x28) BitConverter.GetBytes(rnd.Next(2) == 0 ? rnd.NextInt64() : good.Length - rnd.Next(64, 4096)).CopyTo(b, field);
                else BitConverter.GetBytes((ushort)rnd.Next(0x10000)).CopyTo(b, field);
                break;
            }
            case "symtab":
            {
                Section s = sections.Find(x => x.Name == (rnd.Next(2) == 0 ? ".symtab" : ".strtab"));
                for (int i = 0; i < 1 + rnd.Next(32); i++)
                    b[s.Offset + rnd.NextInt64(s.Size)] = (byte)rnd.Next(256);
                break;
            }
            case "truncate":
            {
                long lastLoadEnd = LastLoadEnd(good);
                return b.AsSpan(0, (int)rnd.NextInt64(64, lastLoadEnd)).ToArray();
            }
            default:
                throw new ArgumentException(strategy);
        }
        return b;
    }

    /// <summary>The end in the file of the last PT_LOAD segment: any cut before it is one dlopen would fault on.</summary>
    public static long LastLoadEnd(byte[] elf)
    {
        long phoff = BitConverter.ToInt64(elf, 0x20);
        int phentsize = BitConverter.ToUInt16(elf, 0x36), phnum = BitConverter.ToUInt16(elf, 0x38);
        long end = 0;
        for (int i = 0; i < phnum; i++)
        {
            int h = (int)(phoff + i * phentsize);
            if (BitConverter.ToUInt32(elf, h) == 1)
                end = Math.Max(end, BitConverter.ToInt64(elf, h + 8) + BitConverter.ToInt64(elf, h + 0x20));
        }
        return end;
    }
}

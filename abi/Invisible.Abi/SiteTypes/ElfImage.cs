using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Text;

namespace Invisible.Abi.SiteTypes;

/// <summary>A function symbol of an ELF file: file (link-time) address, size, name.</summary>
internal readonly record struct ElfFunction(ulong Address, ulong Size, string Name);

/// <summary>
/// What the wrapper scan (<see cref="WrapperScan"/>) needs of an ELF file on disk, read from its bytes: the code at
/// a link-time address (PT_LOAD segments), function symbols (.symtab, else .dynsym), the imported function each
/// GOT slot is bound to (JUMP_SLOT and GLOB_DAT relocations: <c>call malloc@plt</c> and <c>call *malloc@GOTPCREL</c>),
/// the GNU build id, and DT_NEEDED / DT_RUNPATH. x86-64 ELF64 little-endian only; anything malformed reads as absent.
/// </summary>
internal sealed unsafe class ElfImage : IDisposable
{
    // The file is mapped, not read: a warm `invisible run` reads only the pages of the headers, the build-id note
    // and the dynamic section of each file (cc1 is 30 MB).
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly long _length;
    private readonly List<(ulong Vaddr, ulong Offset, ulong FileSize, bool Exec)> _loads = new();
    private readonly List<(uint Type, ulong Addr, ulong Offset, ulong Size, uint Link, ulong EntSize)> _sections = new();
    private ulong _dynamicVaddr, _dynamicSize;
    private Dictionary<ulong, string>? _gotSlots;

    private ElfImage(MemoryMappedFile file, MemoryMappedViewAccessor view, long length)
    {
        _file = file;
        _view = view;
        _length = length;
        byte* p = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _base = p + view.PointerOffset;
    }

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    public string BuildId { get; private set; } = "";

    /// <summary>Read and index <paramref name="path"/>; null when it is not a readable x86-64 ELF64 file.</summary>
    public static ElfImage? Open(string path)
    {
        MemoryMappedFile? file = null;
        MemoryMappedViewAccessor? view = null;
        long length;
        try
        {
            length = new FileInfo(path).Length;
            if (length < 64 || length > int.MaxValue) return null;
            file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            view?.Dispose();
            file?.Dispose();
            return null;
        }
        var image = new ElfImage(file, view, length);
        byte* b = image._base;
        if (b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F' || b[4] != 2 || b[5] != 1 ||
            image.U16(18) != 62 || !image.Index())
        {
            image.Dispose();
            return null;
        }
        return image;
    }

    private ushort U16(long at) => BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(_base + at, 2));
    private uint U32(long at) => BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(_base + at, 4));
    private ulong U64(long at) => BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(_base + at, 8));

    private bool Inside(ulong offset, ulong size) => offset <= (ulong)_length && size <= (ulong)_length - offset;

    private bool Index()
    {
        ulong phoff = U64(32), shoff = U64(40);
        int phentsize = U16(54), phnum = U16(56), shentsize = U16(58), shnum = U16(60);
        if (phentsize != 56 || !Inside(phoff, (ulong)phnum * 56)) return false;
        for (int i = 0; i < phnum; i++)
        {
            long p = (long)phoff + i * 56L;
            uint type = U32(p), flags = U32(p + 4);
            ulong offset = U64(p + 8), vaddr = U64(p + 16), filesz = U64(p + 32);
            if (!Inside(offset, filesz)) continue;
            if (type == 1) _loads.Add((vaddr, offset, filesz, (flags & 1) != 0));
            else if (type == 2) { _dynamicVaddr = vaddr; _dynamicSize = filesz; }
            else if (type == 4 && BuildId.Length == 0) BuildId = GnuBuildId(offset, filesz);
        }
        if (shoff != 0 && shentsize == 64 && Inside(shoff, (ulong)shnum * 64))
        {
            for (int i = 0; i < shnum; i++)
            {
                long s = (long)shoff + i * 64L;
                _sections.Add((U32(s + 4), U64(s + 16), U64(s + 24), U64(s + 32), U32(s + 40), U64(s + 56)));
            }
        }
        return _loads.Count > 0;
    }

    private string GnuBuildId(ulong offset, ulong size)
    {
        ulong pos = offset, end = offset + size;
        while (pos + 12 <= end)
        {
            uint namesz = U32((long)pos), descsz = U32((long)pos + 4), type = U32((long)pos + 8);
            ulong name = pos + 12, desc = name + ((namesz + 3) & ~3u), next = desc + ((descsz + 3) & ~3u);
            if (next > end || next <= pos) break;
            if (type == 3 && namesz == 4 && _base[name] == (byte)'G' && _base[name + 1] == (byte)'N' && _base[name + 2] == (byte)'U')
            {
                var sb = new StringBuilder((int)descsz * 2);
                for (ulong i = 0; i < descsz; i++) sb.Append(_base[desc + i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                return sb.ToString();
            }
            pos = next;
        }
        return "";
    }

    /// <summary>File offset of link-time address <paramref name="vaddr"/> with <paramref name="length"/> bytes
    /// readable from there, or -1.</summary>
    private long OffsetOf(ulong vaddr, out ulong length)
    {
        foreach (var l in _loads)
        {
            if (vaddr < l.Vaddr || vaddr >= l.Vaddr + l.FileSize) continue;
            length = l.Vaddr + l.FileSize - vaddr;
            return (long)(l.Offset + (vaddr - l.Vaddr));
        }
        length = 0;
        return -1;
    }

    /// <summary>Up to <paramref name="length"/> bytes of the file's image at link-time address <paramref name="vaddr"/>.</summary>
    public byte[] Read(ulong vaddr, ulong length)
    {
        long at = OffsetOf(vaddr, out ulong available);
        if (at < 0) return Array.Empty<byte>();
        int n = (int)Math.Min(Math.Min(length, available), 1u << 24);
        return new ReadOnlySpan<byte>(_base + at, n).ToArray();
    }

    /// <summary>True when <paramref name="vaddr"/> lies in an executable segment.</summary>
    public bool IsCode(ulong vaddr)
    {
        foreach (var l in _loads)
            if (l.Exec && vaddr >= l.Vaddr && vaddr < l.Vaddr + l.FileSize) return true;
        return false;
    }

    private string CString(ulong fileOffset)
    {
        if (fileOffset >= (ulong)_length) return "";
        long end = (long)fileOffset;
        while (end < _length && _base[end] != 0) end++;
        if (end >= _length) return "";
        return Encoding.UTF8.GetString(_base + fileOffset, (int)(end - (long)fileOffset));
    }

    /// <summary>Defined function symbols with a size: .symtab when the file has one, else .dynsym.</summary>
    public List<ElfFunction> Functions()
    {
        var result = new List<ElfFunction>();
        uint wanted = 2; // SHT_SYMTAB
        if (!_sections.Exists(s => s.Type == 2)) wanted = 11; // SHT_DYNSYM
        foreach (var s in _sections)
        {
            if (s.Type != wanted || s.EntSize != 24 || !Inside(s.Offset, s.Size) || s.Link >= _sections.Count) continue;
            ulong strtab = _sections[(int)s.Link].Offset;
            for (ulong at = s.Offset; at + 24 <= s.Offset + s.Size; at += 24)
            {
                byte info = _base[at + 4];
                ushort shndx = U16((long)at + 6);
                ulong value = U64((long)at + 8), size = U64((long)at + 16);
                int type = info & 0xf;
                if ((type != 2 && type != 10) || shndx == 0 || size == 0 || !IsCode(value)) continue;
                result.Add(new ElfFunction(value, size, CString(strtab + U32((long)at))));
            }
        }
        return result;
    }

    /// <summary>Every GOT slot (link-time address) with the imported symbol the loader writes into it: a table that
    /// outlives this image (<see cref="ImportNames"/> keeps it without keeping the file mapped).</summary>
    public Dictionary<ulong, string> GotSlotTable()
    {
        GotSlotSymbol(0);
        return _gotSlots!;
    }

    /// <summary>The imported symbol whose address the loader writes into the GOT slot at <paramref name="slot"/>.</summary>
    public string? GotSlotSymbol(ulong slot)
    {
        if (_gotSlots is null)
        {
            _gotSlots = new Dictionary<ulong, string>();
            foreach (var s in _sections)
            {
                if (s.Type != 4 || s.EntSize != 24 || !Inside(s.Offset, s.Size) || s.Link >= _sections.Count) continue; // SHT_RELA
                var symtab = _sections[(int)s.Link];
                if (symtab.EntSize != 24 || symtab.Link >= _sections.Count) continue;
                ulong strtab = _sections[(int)symtab.Link].Offset;
                for (ulong at = s.Offset; at + 24 <= s.Offset + s.Size; at += 24)
                {
                    ulong offset = U64((long)at), info = U64((long)at + 8);
                    uint type = (uint)info, sym = (uint)(info >> 32);
                    if ((type != 6 && type != 7) || sym == 0) continue; // GLOB_DAT, JUMP_SLOT
                    ulong entry = symtab.Offset + sym * 24UL;
                    if (!Inside(entry, 24)) continue;
                    _gotSlots[offset] = CString(strtab + U32((long)entry));
                }
            }
        }
        return _gotSlots.TryGetValue(slot, out string? name) ? name : null;
    }

    /// <summary>DT_NEEDED names and the DT_RUNPATH (or DT_RPATH) directories, $ORIGIN expanded.</summary>
    public (List<string> Needed, List<string> RunPath) Dependencies(string path)
    {
        var needed = new List<string>();
        var runPath = new List<string>();
        if (_dynamicSize == 0) return (needed, runPath);
        long dyn = OffsetOf(_dynamicVaddr, out ulong available);
        if (dyn < 0) return (needed, runPath);
        var entries = new List<(long Tag, ulong Value)>();
        ulong strtabAddr = 0;
        for (ulong i = 0; i + 16 <= Math.Min(available, _dynamicSize); i += 16)
        {
            long tag = (long)U64(dyn + (long)i);
            ulong value = U64(dyn + (long)i + 8);
            if (tag == 0) break;
            if (tag == 5) strtabAddr = value; // DT_STRTAB
            entries.Add((tag, value));
        }
        long strtab = strtabAddr == 0 ? -1 : OffsetOf(strtabAddr, out _);
        if (strtab < 0) return (needed, runPath);
        string origin = Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/";
        foreach (var (tag, value) in entries)
        {
            string text = CString((ulong)strtab + value);
            if (tag == 1) needed.Add(text);
            else if (tag == 29 || tag == 15) // DT_RUNPATH, DT_RPATH
                foreach (string d in text.Split(':', StringSplitOptions.RemoveEmptyEntries))
                    runPath.Add(d.Replace("${ORIGIN}", origin, StringComparison.Ordinal).Replace("$ORIGIN", origin, StringComparison.Ordinal));
        }
        return (needed, runPath);
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Invisible.Abi.Native;

namespace Invisible.Abi.Dwarf;

/// <summary>What an index entry names.</summary>
public enum IndexKind : byte
{
    /// <summary>struct/union/class/enum tag.</summary>
    Tag = 0,
    /// <summary>typedef or base type name.</summary>
    TypeName = 1,
    Function = 2,
    Variable = 3,
}

/// <summary>
/// Name → DIE index over the top-level DIEs of every unit (and C++ namespaces) of one module: type tags, typedef
/// and base type names, functions and global variables. Built once, on the first by-name lookup, in one pass
/// over the units with names interned by their .debug_str pointer. Entries are chained per name in one array.
/// </summary>
public sealed unsafe class TypeIndex
{
    [StructLayout(LayoutKind.Sequential, Size = 16)]
    internal readonly struct Entry
    {
        public Entry(ulong die, int next, IndexKind kind, byte flags) { Die = die; Next = next; Kind = kind; Flags = flags; }
        public readonly ulong Die;
        public readonly int Next;
        public readonly IndexKind Kind;
        /// <summary>bit 0: declaration only; bit 1: has code (functions) or a location (variables).</summary>
        public readonly byte Flags;
    }

    internal const byte FlagDeclaration = 1, FlagDefined = 2;

    // Built in this process: a dictionary and an array. Read from the cache file (TypeIndexCache): the file's bytes
    // in one native buffer, used in place (entries, an open-addressing table of names, the names' UTF-8), so loading
    // allocates nothing per name and the GC never sees it.
    private readonly Dictionary<string, int>? _heads;
    private readonly Entry[]? _entries;
    private readonly byte* _file;
    private readonly Entry* _fileEntries;
    private readonly int* _table;      // pairs (name offset in _names or -1, head entry)
    private readonly int _tableMask;
    private readonly byte* _names;     // [u16 length][UTF-8] per name
    private readonly int _nameCount;

    internal TypeIndex(Dictionary<string, int> heads, Entry[] entries, int count, int units, long dies, TimeSpan time)
    {
        _heads = heads;
        _entries = entries;
        _nameCount = heads.Count;
        EntryCount = count;
        UnitCount = units;
        DiesVisited = dies;
        BuildTime = time;
    }

    /// <summary>An index over a cache file's bytes (<paramref name="file"/>: a NativeMemory buffer this index owns).</summary>
    internal TypeIndex(byte* file, Entry* entries, int count, int* table, int tableSize, byte* names, int nameCount,
        int units, long dies, TimeSpan time)
    {
        _file = file;
        _fileEntries = entries;
        _table = table;
        _tableMask = tableSize - 1;
        _names = names;
        _nameCount = nameCount;
        EntryCount = count;
        UnitCount = units;
        DiesVisited = dies;
        BuildTime = time;
        FromCache = true;
    }

    ~TypeIndex()
    {
        if (_file != null) NativeMemory.AlignedFree(_file);
    }

    /// <summary>True when this index was read from the cache file (<see cref="TypeIndexCache"/>) instead of built.</summary>
    public bool FromCache { get; }

    public int NameCount => _nameCount;
    public int EntryCount { get; }
    public int UnitCount { get; }
    public long DiesVisited { get; }
    public TimeSpan BuildTime { get; }

    /// <summary>Names and their chains' heads (an index built in this process only: what the cache file stores).</summary>
    internal IEnumerable<KeyValuePair<string, int>> Heads => _heads ?? throw new InvalidOperationException("a cached index has no name dictionary");

    internal int Head(string name)
    {
        if (_heads != null) return _heads.TryGetValue(name, out int h) ? h : -1;
        int n = Encoding.UTF8.GetMaxByteCount(name.Length);
        Span<byte> key = n <= 512 ? stackalloc byte[n] : new byte[n];
        key = key.Slice(0, Encoding.UTF8.GetBytes(name, key));
        for (uint slot = NameHash(key) & (uint)_tableMask, probes = 0; probes <= (uint)_tableMask; slot = (slot + 1) & (uint)_tableMask, probes++)
        {
            int off = _table[slot * 2];
            if (off < 0) return -1;
            int len = *(ushort*)(_names + off);
            if (new ReadOnlySpan<byte>(_names + off + 2, len).SequenceEqual(key)) return _table[slot * 2 + 1];
        }
        return -1;
    }

    internal ref readonly Entry At(int i) => ref _entries != null ? ref _entries[i] : ref _fileEntries[i];

    /// <summary>FNV-1a over a name's UTF-8 (the cache file's table is laid out by it).</summary>
    internal static uint NameHash(ReadOnlySpan<byte> s)
    {
        uint h = 2166136261;
        foreach (byte b in s) h = (h ^ b) * 16777619;
        return h;
    }

    /// <summary>DIE offsets indexed under a name for one kind.</summary>
    public List<ulong> Lookup(string name, IndexKind kind)
    {
        var r = new List<ulong>();
        for (int i = Head(name); i >= 0; i = At(i).Next)
            if (At(i).Kind == kind) r.Add(At(i).Die);
        return r;
    }

    internal static unsafe TypeIndex Build(DwarfModule m)
    {
        long t0 = Stopwatch.GetTimestamp();
        var heads = new Dictionary<string, int>(4096, StringComparer.Ordinal);
        var names = new Dictionary<nint, string>(4096);
        Entry[] entries = new Entry[4096];
        int count = 0;
        long dies = 0;
        IReadOnlyList<CompileUnit> units = m.UnitsNoLock();
        var stack = new Stack<DwarfDie>();
        for (int u = 0; u < units.Count; u++)
        {
            DwarfDie cu, child;
            if (LibDw.dwarf_offdie(m.DwH, units[u].DieOffset, &cu) == null || LibDw.dwarf_child(&cu, &child) != 0) continue;
            stack.Push(child);
            while (stack.Count > 0)
            {
                child = stack.Pop();
                do
                {
                    dies++;
                    int tag = LibDw.dwarf_tag(&child);
                    IndexKind kind;
                    switch (tag)
                    {
                        case Dw.TagStructureType: case Dw.TagUnionType: case Dw.TagClassType: case Dw.TagEnumerationType:
                            kind = IndexKind.Tag; break;
                        case Dw.TagTypedef: case Dw.TagBaseType:
                            kind = IndexKind.TypeName; break;
                        case Dw.TagSubprogram:
                            kind = IndexKind.Function; break;
                        case Dw.TagVariable:
                            kind = IndexKind.Variable; break;
                        case Dw.TagNamespace:
                        {
                            DwarfDie inner;
                            if (LibDw.dwarf_child(&child, &inner) == 0) stack.Push(inner);
                            continue;
                        }
                        default:
                            continue;
                    }
                    byte* np = LibDw.dwarf_diename(&child);
                    if (np == null) continue;
                    if (!names.TryGetValue((nint)np, out string? name))
                    {
                        name = System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)np)!;
                        names[(nint)np] = name;
                    }
                    byte flags = 0;
                    if (kind == IndexKind.Tag)
                    {
                        if (LibDw.dwarf_hasattr(&child, Dw.AtDeclaration) != 0) flags |= FlagDeclaration;
                    }
                    else if (kind == IndexKind.Function)
                    {
                        if (LibDw.dwarf_hasattr(&child, 0x11 /*low_pc*/) != 0 || LibDw.dwarf_hasattr(&child, 0x55 /*ranges*/) != 0) flags |= FlagDefined;
                    }
                    else if (kind == IndexKind.Variable)
                    {
                        if (LibDw.dwarf_hasattr(&child, Dw.AtLocation) != 0) flags |= FlagDefined;
                        if (LibDw.dwarf_hasattr(&child, Dw.AtDeclaration) != 0) flags |= FlagDeclaration;
                    }
                    if (count == entries.Length) Array.Resize(ref entries, entries.Length * 2);
                    int prev = heads.TryGetValue(name, out int h) ? h : -1;
                    entries[count] = new Entry(LibDw.dwarf_dieoffset(&child), prev, kind, flags);
                    heads[name] = count;
                    count++;
                } while (LibDw.dwarf_siblingof(&child, &child) == 0);
            }
        }
        return new TypeIndex(heads, entries, count, units.Count, dies, Stopwatch.GetElapsedTime(t0));
    }
}

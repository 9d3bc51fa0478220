using System;
using System.Collections.Generic;
using System.Diagnostics;
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
public sealed class TypeIndex
{
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

    private readonly Dictionary<string, int> _heads;
    private readonly Entry[] _entries;

    internal TypeIndex(Dictionary<string, int> heads, Entry[] entries, int count, int units, long dies, TimeSpan time, bool fromCache = false)
    {
        _heads = heads;
        _entries = entries;
        EntryCount = count;
        UnitCount = units;
        DiesVisited = dies;
        BuildTime = time;
        FromCache = fromCache;
    }

    /// <summary>True when this index was read from the cache file (<see cref="TypeIndexCache"/>) instead of built.</summary>
    public bool FromCache { get; }

    public int NameCount => _heads.Count;
    public int EntryCount { get; }
    public int UnitCount { get; }
    public long DiesVisited { get; }
    public TimeSpan BuildTime { get; }

    internal IEnumerable<KeyValuePair<string, int>> Heads => _heads;

    internal int Head(string name) => _heads.TryGetValue(name, out int h) ? h : -1;
    internal ref readonly Entry At(int i) => ref _entries[i];

    /// <summary>DIE offsets indexed under a name for one kind.</summary>
    public List<ulong> Lookup(string name, IndexKind kind)
    {
        var r = new List<ulong>();
        for (int i = Head(name); i >= 0; i = _entries[i].Next)
            if (_entries[i].Kind == kind) r.Add(_entries[i].Die);
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

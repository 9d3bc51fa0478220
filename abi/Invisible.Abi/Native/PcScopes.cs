using System;
using System.Collections.Generic;

namespace Invisible.Abi.Native;

/// <summary>
/// The scopes that contain a pc, innermost first: the inlined instances and lexical blocks down to the
/// DW_TAG_subprogram of the function the code belongs to — what <c>dwarf_getscopes</c> followed by
/// <c>dwarf_getscopes_die</c> give, without their cost. Both walk the compilation unit's DIE tree from its
/// root on every call, so symbolizing one pc costs a walk of the whole unit: a report with one leak site in
/// each of 5,000 functions of one file spent 10 s in that walk (valgrind: 1 s). Here each unit's functions are
/// indexed once (their pc ranges, sorted), a pc finds its function by binary search, and only that function's
/// own subtree is descended. One instance per owner of the <c>Dwarf</c> handles (a symbolizer, a module):
/// <see cref="Clear"/> when they may have been freed. Not thread-safe: callers hold their own lock.
/// </summary>
internal sealed unsafe class PcScopes
{
    private const int TagLexicalBlock = 0x0b, TagInlinedSubroutine = 0x1d, TagSubprogram = 0x2e,
        TagNamespace = 0x39, TagClass = 0x02, TagStructure = 0x13, TagUnion = 0x17, TagModule = 0x1e,
        TagTryBlock = 0x32, TagCatchBlock = 0x25;
    private const int BackwardProbes = 16; // nested or overlapping ranges: how far back a containing one is sought

    private readonly struct Range
    {
        public Range(ulong low, ulong high, ulong die) { Low = low; High = high; Die = die; }
        public ulong Low { get; }
        public ulong High { get; }
        public ulong Die { get; }
    }

    private readonly Dictionary<(nint Dwarf, ulong Cu), Range[]> _units = new();

    public void Clear() => _units.Clear();

    /// <summary>Fill <paramref name="scopes"/> with the DIEs containing <paramref name="pc"/> (a DWARF address of
    /// the unit <paramref name="cu"/>), innermost first, ending with the subprogram; false when no function of the
    /// unit contains it.</summary>
    public bool Find(nint dwarf, DwarfDie* cu, ulong pc, List<DwarfDie> scopes)
    {
        scopes.Clear();
        Range[] ranges = Unit(dwarf, cu);
        int at = LastStartingAtOrBefore(ranges, pc);
        for (int i = at; i >= 0 && i > at - BackwardProbes; i--)
        {
            if (pc >= ranges[i].High) continue;
            DwarfDie function;
            if (LibDw.dwarf_offdie(dwarf, ranges[i].Die, &function) == null) return false;
            Descend(function, pc, scopes);
            scopes.Reverse();
            return true;
        }
        return false;
    }

    private Range[] Unit(nint dwarf, DwarfDie* cu)
    {
        var key = (dwarf, LibDw.dwarf_dieoffset(cu));
        if (_units.TryGetValue(key, out Range[]? known)) return known;
        var list = new List<Range>();
        CollectFunctions(cu, list, 0);
        list.Sort((a, b) => a.Low.CompareTo(b.Low));
        Range[] ranges = list.ToArray();
        _units[key] = ranges;
        return ranges;
    }

    /// <summary>Every subprogram with code among the children of <paramref name="parent"/>, looking into
    /// namespaces and classes (C++ member functions defined in the class).</summary>
    private static void CollectFunctions(DwarfDie* parent, List<Range> into, int depth)
    {
        DwarfDie child;
        if (depth > 32 || LibDw.dwarf_child(parent, &child) != 0) return;
        do
        {
            int tag = LibDw.dwarf_tag(&child);
            if (tag == TagSubprogram)
            {
                ulong die = LibDw.dwarf_dieoffset(&child), basep, start, end;
                nint offset = 0;
                while ((offset = LibDw.dwarf_ranges(&child, offset, &basep, &start, &end)) > 0)
                    if (end > start) into.Add(new Range(start, end, die));
            }
            else if (tag is TagNamespace or TagClass or TagStructure or TagUnion or TagModule)
            {
                CollectFunctions(&child, into, depth + 1);
            }
        } while (LibDw.dwarf_siblingof(&child, &child) == 0);
    }

    private static int LastStartingAtOrBefore(Range[] ranges, ulong pc)
    {
        int lo = 0, hi = ranges.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (ranges[mid].Low <= pc) lo = mid + 1; else hi = mid;
        }
        return lo - 1;
    }

    /// <summary>From the function down: at each level the child scope (block or inlined instance) whose ranges
    /// contain the pc, outermost first.</summary>
    private static void Descend(DwarfDie function, ulong pc, List<DwarfDie> path)
    {
        path.Add(function);
        DwarfDie scope = function;
        for (int depth = 0; depth < 256; depth++)
        {
            DwarfDie child;
            if (LibDw.dwarf_child(&scope, &child) != 0) return;
            bool found = false;
            do
            {
                int tag = LibDw.dwarf_tag(&child);
                if (tag is TagLexicalBlock or TagInlinedSubroutine or TagTryBlock or TagCatchBlock &&
                    LibDw.dwarf_haspc(&child, pc) == 1)
                {
                    path.Add(child);
                    scope = child;
                    found = true;
                    break;
                }
            } while (LibDw.dwarf_siblingof(&child, &child) == 0);
            if (!found) return;
        }
    }
}

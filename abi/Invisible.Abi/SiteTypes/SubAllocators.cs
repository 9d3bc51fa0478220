using System;
using System.Collections.Generic;
using Invisible.Abi.Dwarf;

namespace Invisible.Abi.SiteTypes;

/// <summary>
/// Blocks that are not one object but a region another allocator carves into slots (liballocs' sub-allocators):
/// SQLite's lookaside buffer and its page cache. Typing such a block by the first pointer the code keeps to it
/// would mistype it (<c>LookasideSlot[6000]</c>, <c>char[]</c>); it is named by the function that sets the region
/// up instead. Known by name, as liballocs' <c>LIBALLOCS_SUBALLOC_FNS</c>: the carving loops are not recognisable
/// from the code alone (a pointer advanced by a run-time slot size).
/// </summary>
internal static class SubAllocators
{
    private static readonly Dictionary<string, string> Regions = new(StringComparer.Ordinal)
    {
        // sqlite3_db_config(SQLITE_DBCONFIG_LOOKASIDE) / openDatabase: one block, a free list of 1200- and 128-byte slots
        ["setupLookaside"] = "sqlite3 lookaside (slots)",
        // pcache1: the first SQLITE_DEFAULT_PCACHE_INITSZ pages of a cache in one block ...
        ["pcache1InitBulk"] = "sqlite3 page cache (bulk pages)",
        // ... and each later page alone: the page image, then its PgHdr1 and the pager's MemPage
        ["pcache1AllocPage"] = "sqlite3 page cache (page)",
    };

    /// <summary>The region a block allocated from <paramref name="function"/> is, or null.</summary>
    public static string? Region(string? function) =>
        function is not null && Regions.TryGetValue(function, out string? region) ? region : null;

    /// <summary>The region of a sub-allocator inlined into <paramref name="function"/> whose inlined code holds
    /// <paramref name="dwarfPc"/> (the call instruction), or null.</summary>
    public static string? Inlined(Function function, ulong dwarfPc)
    {
        IReadOnlyList<InlinedCall> calls = function.InlinedCalls;
        for (int i = 0; i < calls.Count; i++)
        {
            if (Region(calls[i].Name) is not string region) continue;
            IReadOnlyList<PcRange> ranges = calls[i].Ranges;
            for (int r = 0; r < ranges.Count; r++)
                if (ranges[r].Contains(dwarfPc)) return region;
        }
        return null;
    }
}

using System;
using System.Globalization;
using Invisible.Abi.Dwarf;

namespace Invisible.Abi.SiteTypes;

/// <summary>Which evidence typed an allocation site, strongest first.</summary>
public enum SiteEvidence : byte
{
    /// <summary>No evidence: the site is reported as unknown, never guessed.</summary>
    None,
    /// <summary>A DWARF call-site entry names the allocated type.</summary>
    CallSite,
    /// <summary>The result is stored into a local variable of type T *.</summary>
    Variable,
    /// <summary>The result is stored into a member or array element of type T *.</summary>
    Member,
    /// <summary>The result is stored into a global of type T * (or a member of one).</summary>
    Global,
    /// <summary>A location list places a variable of type T * in the register holding the result.</summary>
    Register,
    /// <summary>The result is passed to a parameter of type T * (a C++ constructor's <c>this</c>, say).</summary>
    Argument,
    /// <summary>The result is returned by a function declared to return T *.</summary>
    Returned,
    /// <summary>The requested size is sizeof(T) or n * sizeof(T) for exactly one struct type of the unit.</summary>
    Size,
    /// <summary>The block's first word points into a C++ vtable.</summary>
    Vtable,
    /// <summary>The site is inside an allocator wrapper and the trace is too short to see its caller.</summary>
    Wrapper,
    /// <summary>The block is a region a sub-allocator carves into slots (<see cref="SubAllocators"/>).</summary>
    SubAllocator,
}

/// <summary>
/// The inferred type of the blocks allocated at one site. The element type is per site; the text of a block's
/// type also depends on its size (<c>struct point[200]</c>), so <see cref="Describe"/> takes the size.
/// </summary>
public sealed class SiteType
{
    internal SiteType(int frameIndex, ulong sitePc, SiteEvidence evidence, CType? target, long offset, bool isCpp,
                      bool probeVtable, string? wrapper, int depthNeeded, CType[] sizeCandidates)
    {
        FrameIndex = frameIndex;
        SitePc = sitePc;
        Evidence = evidence;
        Target = target;
        Offset = offset;
        IsCpp = isCpp;
        ProbeVtable = probeVtable;
        Wrapper = wrapper;
        DepthNeeded = depthNeeded;
        _sizeCandidates = sizeCandidates;
    }

    /// <summary>A block that a sub-allocator carves into slots, named by the function that sets it up.</summary>
    internal static SiteType ForRegion(int frameIndex, ulong sitePc, string region) =>
        new(frameIndex, sitePc, SiteEvidence.SubAllocator, null, 0, false, false, null, 0, Array.Empty<CType>()) { Region = region };

    /// <summary>The region's name (<see cref="SiteEvidence.SubAllocator"/>), else null.</summary>
    public string? Region { get; private init; }

    private readonly CType[] _sizeCandidates;

    /// <summary>Index in the trace of the frame that is the real allocation site (allocator wrappers skipped).</summary>
    public int FrameIndex { get; }
    /// <summary>Return address of that frame (runtime address).</summary>
    public ulong SitePc { get; }
    public SiteEvidence Evidence { get; }
    /// <summary>T (the pointed-to type), when the code or a call-site entry says it.</summary>
    public CType? Target { get; }
    /// <summary>Where the typed pointer points into the block (8 for <c>new T[n]</c> with an array cookie).</summary>
    public long Offset { get; }
    /// <summary>The site is C++ code (names print without <c>struct</c>/<c>class</c>).</summary>
    public bool IsCpp { get; }
    /// <summary>Each block's first word should be read: a vtable pointer there names the dynamic class.</summary>
    public bool ProbeVtable { get; }
    /// <summary>The allocator wrapper the trace ended in, when it was too short to see the caller.</summary>
    public string? Wrapper { get; }
    /// <summary>The trace depth that would reach the caller of <see cref="Wrapper"/>.</summary>
    public int DepthNeeded { get; }

    /// <summary>The evidence that applies to a block of <paramref name="size"/> bytes (size evidence depends on it).</summary>
    public SiteEvidence EvidenceFor(ulong size)
    {
        if (Evidence != SiteEvidence.None) return Evidence;
        return SizeMatch(Data(size), out _) ? SiteEvidence.Size : SiteEvidence.None;
    }

    /// <summary>Type text of a block of <paramref name="size"/> bytes from this site: <c>struct node</c>,
    /// <c>struct point[200]</c>, <c>char[]</c>, or <c>unknown (site)</c>.</summary>
    public string Describe(ulong size)
    {
        if (Region is not null) return Region;
        if (Wrapper is not null)
            return "unknown (wrapper " + Wrapper + "; rerun with --depth " + DepthNeeded.ToString(CultureInfo.InvariantCulture) + "+)";
        if (Target is not null)
        {
            long data = (long)size - Offset;
            return Name(Target, data < 0 ? 0 : data, IsCpp);
        }
        if (SizeMatch(Data(size), out CType? t)) return Name(t!, (long)Data(size), IsCpp);
        return "unknown (site)";
    }

    /// <summary>The bytes of a block past the allocators' headers (<see cref="Offset"/>).</summary>
    private ulong Data(ulong size) => size > (ulong)Offset ? size - (ulong)Offset : 0;

    /// <summary>Size evidence: exactly one candidate struct has sizeof == size; else exactly one divides it.</summary>
    private bool SizeMatch(ulong size, out CType? type)
    {
        type = null;
        if (size == 0 || _sizeCandidates.Length == 0) return false;
        CType? exact = null, multiple = null;
        int exactCount = 0, multipleCount = 0;
        for (int i = 0; i < _sizeCandidates.Length; i++)
        {
            long s = _sizeCandidates[i].Size;
            if (s <= 0) continue;
            if ((ulong)s == size) { exact = _sizeCandidates[i]; exactCount++; }
            else if (size % (ulong)s == 0) { multiple = _sizeCandidates[i]; multipleCount++; }
        }
        if (exactCount == 1) type = exact;
        else if (exactCount == 0 && multipleCount == 1) type = multiple;
        return type is not null;
    }

    /// <summary><c>T</c>, <c>T[n]</c> when the block holds n of them, <c>char[]</c> for character buffers.</summary>
    public static string Name(CType t, long bytes, bool cpp)
    {
        CType u = t.Unqualified;
        string text = Text(t, cpp);
        if (u is BaseType b && b.Size == 1 && b.Encoding is BaseEncoding.SignedChar or BaseEncoding.UnsignedChar or BaseEncoding.UTF)
            return text + "[]";
        long s = u.Size;
        if (s <= 0 || bytes == s || HasFlexibleTail(u)) return text;
        if (bytes == 0) return text + "[0]";
        if (bytes > s && bytes % s == 0) return text + "[" + (bytes / s).ToString(CultureInfo.InvariantCulture) + "]";
        return text;
    }

    /// <summary>C syntax; C++ names without the class-key (<c>Circle</c>, not <c>struct Circle</c>).</summary>
    public static string Text(CType t, bool cpp)
    {
        string text = t.ToCString();
        if (!cpp) return text;
        foreach (string key in new[] { "struct ", "class ", "union " })
            if (text.StartsWith(key, StringComparison.Ordinal)) return text.Substring(key.Length);
        return text;
    }

    private static bool HasFlexibleTail(CType u)
    {
        if (u is not StructType st || st.IsDeclaration) return false;
        var ms = st.Members;
        return ms.Count > 0 && ms[ms.Count - 1].Type.Unqualified is ArrayType { IsFlexible: true } or ArrayType { Count: 0 };
    }

    public override string ToString() => Describe(Target is null ? 0 : (ulong)Math.Max(Target.Size, 0));
}

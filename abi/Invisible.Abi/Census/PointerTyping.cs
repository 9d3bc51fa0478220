using System;
using System.Collections.Generic;
using System.Diagnostics;
using Invisible.Abi.Dwarf;
using Invisible.Abi.SiteTypes;
using Invisible.Abi.Unwinding;

namespace Invisible.Abi.Census;

/// <summary>Where a block's type came from: the global, or the local of a thread's frame, whose pointer (directly, or
/// through the fields of blocks typed before it) reached the block. A local's <see cref="Name"/> reads
/// <c>local NAME in FUNCTION</c>; <see cref="File"/>/<see cref="Line"/> are the variable's declaration.</summary>
public readonly struct PointerRoot
{
    public PointerRoot(string name, string module, string? file, int line) { Name = name; Module = module; File = file; Line = line; }
    public string Name { get; }
    public string Module { get; }
    public string? File { get; }
    public int Line { get; }
}

/// <summary>
/// Types blocks that have no allocation site (glibc's heap from before an attach) the way a debugger sees them: a
/// DWARF-typed pointer that holds a block's start says what the block is. Roots are every defined global of every
/// object with DWARF (the program's first, then the libraries'); the pointer fields of each block typed are followed
/// in turn (breadth first), so a list or tree hanging off a global is typed to its last node. Then the locals and
/// parameters of every frame of every stopped thread (<see cref="FrameVariables"/>: in memory, or in a register
/// recovered through the CFI), again followed breadth first: a local types only what no global reaches. The first
/// type a block gets stays (globals before fields before locals); a later, different one is counted as a conflict. <c>void *</c>, function and
/// incomplete targets type nothing; unions are not looked into (which member holds is unknown).
/// </summary>
public sealed unsafe class PointerTyping
{
    private const int MaxElements = 1 << 16;
    private const int MaxDepth = 12;

    private readonly ulong[] _starts;
    private readonly ulong[] _usable;
    private readonly bool[] _mmapped;
    private readonly CType?[] _types;
    private readonly int[] _root;
    private readonly List<PointerRoot> _roots = new();
    private readonly Queue<int> _work = new();
    private readonly Dictionary<CType, bool> _hasPointers = new(ReferenceEqualityComparer.Instance);
    private readonly MemoryMap _map;
    private readonly HeapMemory _memory;

    /// <summary>Typing that reads the blocks and globals in this process (the report helper's copy).</summary>
    public PointerTyping(IReadOnlyList<HeapChunk> blocks, MemoryMap map) : this(blocks, new HeapMemory(0, map)) { }

    /// <summary>Typing that reads them through <paramref name="memory"/>: a frozen copy of the process (an attach
    /// session's census, whose program runs on meanwhile), or this process.</summary>
    public PointerTyping(IReadOnlyList<HeapChunk> blocks, HeapMemory memory)
    {
        _memory = memory;
        _map = memory.Map;
        _starts = new ulong[blocks.Count];
        _usable = new ulong[blocks.Count];
        _mmapped = new bool[blocks.Count];
        for (int i = 0; i < blocks.Count; i++) { _starts[i] = blocks[i].Mem; _usable[i] = blocks[i].Usable; _mmapped[i] = blocks[i].Mmapped; }
        _types = new CType?[blocks.Count];
        _root = new int[blocks.Count];
    }

    public int Count => _starts.Length;
    public ulong Start(int i) => _starts[i];
    public ulong Usable(int i) => _usable[i];
    public bool Mmapped(int i) => _mmapped[i];
    /// <summary>The block's type (null: no typed pointer reached it).</summary>
    public CType? TypeOf(int i) => _types[i];
    public PointerRoot RootOf(int i) => _roots[_root[i]];
    public int Typed { get; private set; }
    public int RootsScanned { get; private set; }
    /// <summary>Locals and parameters of threads' frames whose type holds a pointer and whose location was known.</summary>
    public int LocalRootsScanned { get; private set; }
    /// <summary>Frames with DWARF looked into, and the threads they belong to.</summary>
    public int FramesScanned { get; private set; }
    public int ThreadsScanned { get; private set; }
    public int Conflicts { get; private set; }
    public double Milliseconds { get; private set; }

    /// <summary>The number of elements a block of <paramref name="usable"/> bytes holds: the fewest whose request
    /// glibc would have rounded up to this chunk (malloc(16) has 24 usable bytes and is one 16-byte struct).</summary>
    public static long Elements(ulong usable, long elementSize, bool mmapped)
    {
        if (elementSize <= 0) return 1;
        ulong slack = mmapped ? 4096UL : 16UL; // request rounding: the chunk alignment, or a page for mmapped chunks
        long n = usable > slack ? (long)((usable - slack) / (ulong)elementSize) + 1 : 1;
        while (n > 1 && (ulong)(n * elementSize) > usable) n--;
        return n;
    }

    /// <summary>Type text of block <paramref name="i"/> as the census names types (<c>struct node</c>, <c>char[]</c>,
    /// <c>struct node[3]</c>).</summary>
    public string TypeText(int i)
    {
        CType t = _types[i]!;
        long size = t.Unqualified.Size;
        long n = Elements(_usable[i], size, _mmapped[i]);
        return SiteType.Name(t, size > 0 ? n * size : (long)_usable[i], cpp: false);
    }

    /// <summary>Scan every root of <paramref name="image"/> but Invisible's own objects, then follow the blocks typed;
    /// then the same from the frames of <paramref name="threads"/> (the program's stopped threads; null: none).</summary>
    public void Run(ProcessImage image, Func<DwarfModule, bool> isOwnModule, IReadOnlyList<FrameChain>? threads = null)
    {
        long t0 = Stopwatch.GetTimestamp();
        if (_starts.Length > 0)
        {
            var seen = new HashSet<ulong>();
            IReadOnlyList<DwarfModule> modules = image.Modules;
            // the program (first module) first: its globals are what a user names
            for (int mi = 0; mi < modules.Count; mi++)
            {
                DwarfModule m = modules[mi];
                if (!m.HasDwarf || isOwnModule(m)) continue;
                foreach (Variable v in m.DefinedGlobals())
                {
                    if (v.Name is null || v.Location.Ranges.Count != 1 || v.Location.Ranges[0].Ops.Count != 1) continue; // TLS, optimized out
                    if (v.Location.StaticAddress is not ulong sa) continue;
                    ulong address = sa + m.Bias;
                    if (!seen.Add(address) || !HasPointers(v.Type)) continue;
                    _roots.Add(new PointerRoot(v.Name, m.Path, v.DeclFile, v.DeclLine));
                    RootsScanned++;
                    ScanValue(address, v.Type, _roots.Count - 1, 0);
                }
            }
            FollowTyped();
            if (threads is not null)
            {
                for (int ti = 0; ti < threads.Count; ti++) ScanFrames(image, threads[ti], isOwnModule);
                FollowTyped();
            }
        }
        Milliseconds = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
    }

    /// <summary>The pointer fields of every block typed and not yet looked into, breadth first.</summary>
    private void FollowTyped()
    {
        while (_work.Count > 0)
        {
            int b = _work.Dequeue();
            CType t = _types[b]!;
            long size = t.Unqualified.Size;
            if (size <= 0 || !HasPointers(t)) continue;
            long n = Math.Min(Elements(_usable[b], size, _mmapped[b]), MaxElements);
            for (long k = 0; k < n; k++) ScanValue(_starts[b] + (ulong)(k * size), t, _root[b], 0);
        }
    }

    /// <summary>The parameters and locals of each frame of one thread (innermost first) whose type holds a pointer: a
    /// variable in memory is scanned as a global is, one in a register (or computed) is the pointer itself. Frames of
    /// Invisible's own objects and inlined callees' variables are not looked into.</summary>
    private void ScanFrames(ProcessImage image, FrameChain chain, Func<DwarfModule, bool> isOwnModule)
    {
        bool any = false;
        for (int i = 0; i < chain.Count; i++)
        {
            Function? f = FrameVariables.FunctionAt(image, chain, i, out DwarfModule? m, out ulong dwarfPc);
            if (f is null || isOwnModule(m!)) continue;
            FramesScanned++;
            any = true;
            ulong? frameBase = FrameVariables.FrameBase(image, f, dwarfPc, chain, i);
            IReadOnlyList<Variable> parameters = f.Parameters, locals = f.Locals;
            for (int k = 0; k < parameters.Count + locals.Count; k++)
            {
                Variable v = k < parameters.Count ? parameters[k] : locals[k - parameters.Count];
                if (v.Name is null || !HasPointers(v.Type)) continue;
                VariableLocation loc = FrameVariables.Locate(image, v, dwarfPc, m!.Bias, frameBase, chain, i);
                if (loc.Kind == VariableLocationKind.None) continue;
                if (loc.Kind == VariableLocationKind.Memory && !_map.Readable(loc.Number, (ulong)Math.Max(1, v.Type.Unqualified.Size))) continue;
                if (loc.Kind != VariableLocationKind.Memory && v.Type.Unqualified is not PointerType) continue;
                _roots.Add(new PointerRoot("local " + v.Name + " in " + (f.Name ?? "??"), m.Path, v.DeclFile, v.DeclLine));
                LocalRootsScanned++;
                if (loc.Kind == VariableLocationKind.Memory) ScanValue(loc.Number, v.Type, _roots.Count - 1, 0);
                else TypeTarget(loc.Number, (PointerType)v.Type.Unqualified, _roots.Count - 1);
            }
        }
        if (any) ThreadsScanned++;
    }

    /// <summary>The block holding <paramref name="address"/> (its start or inside it), -1: none.</summary>
    public int IndexContaining(ulong address)
    {
        int i = Array.BinarySearch(_starts, address);
        if (i >= 0) return i;
        i = ~i - 1;
        return i >= 0 && address - _starts[i] < _usable[i] ? i : -1;
    }

    private int Find(ulong address)
    {
        int i = Array.BinarySearch(_starts, address);
        return i >= 0 ? i : -1;
    }

    private void ScanValue(ulong address, CType type, int root, int depth)
    {
        if (depth > MaxDepth) return;
        CType u = type.Unqualified;
        switch (u)
        {
            case PointerType p when u.Kind == CTypeKind.Pointer:
            {
                if (!_memory.TryRead(address, out ulong value)) return;
                TypeTarget(value, p, root);
                return;
            }
            case StructType st when st.Kind != CTypeKind.Union && !st.IsDeclaration:
            {
                IReadOnlyList<Member> members = st.Members;
                for (int i = 0; i < members.Count; i++)
                {
                    Member m = members[i];
                    if (m.IsBitfield || !HasPointers(m.Type)) continue;
                    ScanValue(address + (ulong)m.Offset, m.Type, root, depth + 1);
                }
                return;
            }
            case ArrayType a when a.Count > 0:
            {
                long size = a.Element.Size;
                if (size <= 0 || !HasPointers(a.Element)) return;
                long n = Math.Min(a.Count, MaxElements);
                for (long k = 0; k < n; k++) ScanValue(address + (ulong)(k * size), a.Element, root, depth + 1);
                return;
            }
        }
    }

    /// <summary>A pointer of type <paramref name="p"/> holding <paramref name="value"/>: the block starting there (if any)
    /// is a <c>*p</c>.</summary>
    private void TypeTarget(ulong value, PointerType p, int root)
    {
        if (p.Kind != CTypeKind.Pointer) return;
        int b = Find(value);
        if (b < 0) return;
        CType? target = Complete(p.Target);
        if (target is null) return;
        if (_types[b] is null)
        {
            _types[b] = target;
            _root[b] = root;
            Typed++;
            _work.Enqueue(b);
        }
        else if (!SameType(_types[b]!, target)) Conflicts++;
    }

    /// <summary>The type a pointer's target names, complete (a declaration-only struct looked up by name in its module
    /// and then everywhere); null for void, functions and types of unknown size.</summary>
    private static CType? Complete(CType target)
    {
        CType u = target.Unqualified;
        if (u is VoidType || u is FunctionType) return null;
        if (u is StructType { IsDeclaration: true } st && st.Tag is not null)
        {
            CType? full = st.Module?.FindType(st.Name!);
            if (full?.Unqualified is StructType { IsDeclaration: false }) return full;
            full = ProcessImage.Shared.FindType(st.Name!);
            return full?.Unqualified is StructType { IsDeclaration: false } ? full : null;
        }
        return u.Size > 0 ? target : null;
    }

    private static bool SameType(CType a, CType b) =>
        ReferenceEquals(a, b) || a.Unqualified.ToCString() == b.Unqualified.ToCString();

    /// <summary>Whether a value of this type holds a pointer anywhere (struct members, array elements), cached.</summary>
    private bool HasPointers(CType type)
    {
        CType u = type.Unqualified;
        if (_hasPointers.TryGetValue(u, out bool known)) return known;
        _hasPointers[u] = false; // a struct that contains itself by value cannot exist; this ends recursion
        bool result = u switch
        {
            PointerType p => u.Kind == CTypeKind.Pointer,
            StructType st when st.Kind != CTypeKind.Union && !st.IsDeclaration => AnyMemberHasPointers(st),
            ArrayType a => a.Count > 0 && HasPointers(a.Element),
            _ => false,
        };
        _hasPointers[u] = result;
        return result;
    }

    private bool AnyMemberHasPointers(StructType st)
    {
        IReadOnlyList<Member> members = st.Members;
        for (int i = 0; i < members.Count; i++)
            if (!members[i].IsBitfield && HasPointers(members[i].Type)) return true;
        return false;
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using Iced.Intel;
using Invisible.Abi.Dwarf;

namespace Invisible.Abi.SiteTypes;

/// <summary>A wrapper function's code [Start, End) (link-time addresses) and the frames a capture from inside it
/// needs above it (<see cref="WrapperScan"/>).</summary>
public readonly record struct WrapperRange(ulong Start, ulong End, int Extra);

/// <summary>What <see cref="WrapperScan.Scan"/> found in one file.</summary>
public sealed class WrapperScanResult
{
    public WrapperScanResult(string path, string buildId) { Path = path; BuildId = buildId; }
    public string Path { get; }
    public string BuildId { get; }
    public bool HasDwarf { get; internal set; }
    /// <summary>A C/C++ runtime library: cached as having no wrappers without a scan (<see cref="WrapperFill"/>).</summary>
    public bool RuntimeLibrary { get; internal set; }
    public int Functions { get; internal set; }
    /// <summary>Sorted by start, disjoint.</summary>
    public List<WrapperRange> Ranges { get; } = new();
    /// <summary>Wrapper names with their extra depth, for <c>--verbose</c>.</summary>
    public List<(string Name, int Extra)> Wrappers { get; } = new();
    /// <summary>The time budget ran out: the set may miss wrappers (never holds a wrong one).</summary>
    public bool TimedOut { get; internal set; }
    public double Milliseconds { get; internal set; }
    public string? Error { get; internal set; }
}

/// <summary>
/// Issue 17 item 2, the static half: the allocator wrappers of one ELF file, found before the program runs, so the
/// hooks capture deeper only at call sites inside them. A function is a wrapper when the pointer one of its calls
/// returns — from an allocator (through the PLT or the GOT), from another wrapper, or from an indirect call (Lua's
/// <c>g->frealloc</c>) — reaches its own <c>ret</c> untyped: as <c>void *</c>, as bytes (<c>char *</c>), or as a
/// header struct that other structs of its unit begin with (Lua's <c>GCObject</c>). The same test the census makes
/// per site (<see cref="ResultFlow"/>, <see cref="SiteTypeResolver"/>'s refinement), made for every call site of the
/// file and closed over callers. A wrapper's extra depth is how many frames of wrappers can lie above it, plus the
/// first frame outside them: 1 + the largest extra depth of its wrapper callers (direct calls; for a function that
/// calls the allocator itself and whose address is taken, also the wrappers that call through pointers).
/// </summary>
public static class WrapperScan
{
    /// <summary>Imported functions whose result is a fresh block.</summary>
    private static readonly HashSet<string> Allocators = new(StringComparer.Ordinal)
    {
        "malloc", "calloc", "realloc", "reallocarray", "aligned_alloc", "memalign", "valloc", "pvalloc",
        "strdup", "strndup", "_Znwm", "_Znam", "_ZnwmRKSt9nothrow_t", "_ZnamRKSt9nothrow_t",
        "_ZnwmSt11align_val_t", "_ZnamSt11align_val_t",
    };

    private const int MaxExtra = 24;

    private enum SiteKind : byte { Allocator, Direct, Indirect }

    private readonly record struct CallSite(ulong ReturnPc, SiteKind Kind, int Callee);

    private sealed class Node
    {
        public ElfFunction Symbol;
        public readonly List<CallSite> Sites = new();
        public readonly List<int> TailCallees = new();
        public bool TailCallsAllocator;
        public bool TailCallsThroughPointer; // `jmp *(%reg)`: returns what a function pointer's call returns
        public bool AddressTaken;
        public bool Wrapper;
        public bool ThroughPointer; // a wrapper because of an indirect call
        public int OutParameter = -1; // hands the block back through this parameter (void **), not its return value
        public int Extra = -1;
        public FunctionFacts? Facts;
        public bool FactsBuilt;
    }

    /// <summary>Scan <paramref name="path"/>; gives up finding more after <paramref name="budget"/>.</summary>
    public static WrapperScanResult Scan(string path, TimeSpan budget)
    {
        var clock = Stopwatch.StartNew();
        using ElfImage? elf = ElfImage.Open(path);
        if (elf is null)
            return new WrapperScanResult(path, "") { Error = "not a readable x86-64 ELF file" };
        var result = new WrapperScanResult(path, elf.BuildId);
        DwarfModule module;
        try { module = DwarfModule.Open(path); }
        catch (DwarfException e) { result.Error = e.Message; return result; }
        using (module)
        {
            result.HasDwarf = module.HasDwarf;
            if (module.HasDwarf)
                new Scanner(module, elf, clock, budget).Run(result);
        }
        result.Milliseconds = clock.Elapsed.TotalMilliseconds;
        return result;
    }

    private sealed class Scanner
    {
        private readonly DwarfModule _module;
        private readonly ElfImage _elf;
        private readonly ImportNames _imports;
        private readonly Stopwatch _clock;
        private readonly TimeSpan _budget;
        private readonly ulong _bias;
        private readonly List<Node> _nodes = new();
        private readonly Dictionary<ulong, int> _byAddress = new();
        private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);
        private readonly Dictionary<ulong, bool> _allocatorStubs = new();
        private readonly Dictionary<int, List<(int Caller, ulong ReturnPc)>> _callers = new();
        private readonly Dictionary<int, List<int>> _tailCallers = new();
        private readonly Dictionary<(ulong, ulong), bool> _headers = new();
        private readonly Dictionary<ulong, FunctionFacts?> _calleeFacts = new();

        public Scanner(DwarfModule module, ElfImage elf, Stopwatch clock, TimeSpan budget)
        {
            _module = module;
            _elf = elf;
            _clock = clock;
            _budget = budget;
            _bias = module.Bias;
            _imports = new ImportNames(elf.GotSlotTable(), _bias, elf.Read);
            module.CodeReader = elf.Read;
        }

        private bool OutOfTime => _clock.Elapsed > _budget;

        public void Run(WrapperScanResult result)
        {
            List<ElfFunction> symbols = _elf.Functions();
            symbols.Sort((a, b) => a.Address.CompareTo(b.Address));
            foreach (ElfFunction f in symbols)
            {
                if (_byAddress.ContainsKey(f.Address)) continue;
                _byAddress[f.Address] = _nodes.Count;
                _byName.TryAdd(f.Name, _nodes.Count);
                _nodes.Add(new Node { Symbol = f });
            }
            result.Functions = _nodes.Count;
            for (int i = 0; i < _nodes.Count; i++) Decode(i);

            var work = new Queue<int>();
            for (int i = 0; i < _nodes.Count; i++)
            {
                Node n = _nodes[i];
                if (n.TailCallsAllocator) { MarkWrapper(i, false, work); continue; }
                foreach (CallSite s in n.Sites)
                    if (s.Kind != SiteKind.Direct) { work.Enqueue(i); break; }
            }
            Propagate(work, result);
            // A tail call through a pointer (`return config.xMalloc(n);` at -O2: `jmp *(%rax)`) hands back whatever
            // the pointed-to function returns: a wrapper through a pointer when the function returns untyped memory
            // and the file has an allocator wrapper reached through pointers (an address taken, or no direct caller).
            if (!result.TimedOut && _nodes.Exists(IsPointerLeaf))
            {
                for (int i = 0; i < _nodes.Count; i++)
                    if (_nodes[i].TailCallsThroughPointer && !_nodes[i].Wrapper && ReturnsUntyped(i)) MarkWrapper(i, true, work);
                Propagate(work, result);
            }
            Emit(result);
        }

        private void Propagate(Queue<int> work, WrapperScanResult result)
        {
            while (work.Count > 0)
            {
                if (OutOfTime) { result.TimedOut = true; break; }
                int i = work.Dequeue();
                Node n = _nodes[i];
                if (n.Wrapper) continue;
                if (Evaluate(i, out bool throughPointer)) MarkWrapper(i, throughPointer, work);
            }
        }

        /// <summary>A wrapper that calls the allocator itself and is reached through pointers (see <see cref="ExtraOf"/>).</summary>
        private bool IsPointerLeaf(Node n)
        {
            if (!n.Wrapper || !(n.TailCallsAllocator || n.Sites.Exists(s => s.Kind == SiteKind.Allocator))) return false;
            int index = _byAddress[n.Symbol.Address];
            bool calledDirectly = _callers.ContainsKey(index) || _tailCallers.ContainsKey(index);
            return n.AddressTaken || !calledDirectly;
        }

        private bool ReturnsUntyped(int i) =>
            FactsOf(i)?.Function.ReturnType.Unqualified is PointerType p &&
            (p.Target.Unqualified is VoidType || ResultFlow.IsByte(p.Target));

        /// <summary>Calls, tail calls and address-taking instructions of function <paramref name="i"/>.</summary>
        private void Decode(int i)
        {
            Node n = _nodes[i];
            ElfFunction f = n.Symbol;
            byte[] code = _elf.Read(f.Address, f.Size);
            if (code.Length == 0) return;
            ulong start = f.Address + _bias, end = start + (ulong)code.Length;
            var decoder = Decoder.Create(64, new ByteArrayCodeReader(code), start);
            while (decoder.IP < end)
            {
                decoder.Decode(out Instruction ins);
                if (ins.IsInvalid) continue;
                switch (ins.FlowControl)
                {
                    case FlowControl.Call:
                    {
                        ulong target = ins.NearBranchTarget;
                        if (IsAllocatorStub(target)) n.Sites.Add(new CallSite(ins.NextIP, SiteKind.Allocator, -1));
                        else if (LocalFunction(target, out int callee))
                        {
                            n.Sites.Add(new CallSite(ins.NextIP, SiteKind.Direct, callee));
                            Add(_callers, callee, (i, ins.NextIP));
                        }
                        break;
                    }
                    case FlowControl.IndirectCall:
                        if (ins.IsIPRelativeMemoryOperand && _elf.GotSlotSymbol(ins.IPRelativeMemoryAddress - _bias) is string name)
                        {
                            if (Allocators.Contains(name)) n.Sites.Add(new CallSite(ins.NextIP, SiteKind.Allocator, -1));
                            else if (_byName.TryGetValue(name, out int callee))
                            {
                                // -fno-plt: the file's own exported function, through its GOT slot.
                                n.Sites.Add(new CallSite(ins.NextIP, SiteKind.Direct, callee));
                                Add(_callers, callee, (i, ins.NextIP));
                            }
                        }
                        else n.Sites.Add(new CallSite(ins.NextIP, SiteKind.Indirect, -1));
                        break;
                    case FlowControl.UnconditionalBranch when ins.Op0Kind == OpKind.NearBranch64:
                    {
                        ulong target = ins.NearBranchTarget;
                        if (target >= start && target < end) break;
                        if (IsAllocatorStub(target)) n.TailCallsAllocator = true;
                        else if (LocalFunction(target, out int callee))
                        {
                            n.TailCallees.Add(callee);
                            Add(_tailCallers, callee, i);
                        }
                        break;
                    }
                    case FlowControl.IndirectBranch when ins.Op0Kind == OpKind.Memory && !ins.IsIPRelativeMemoryOperand &&
                                                         ins.MemoryIndex == Register.None:
                        // `jmp *(%rax)`: a function pointer's call in tail position (a switch's table jump has an
                        // index register, or goes through a register).
                        n.TailCallsThroughPointer = true;
                        break;
                    case FlowControl.IndirectBranch:
                        if (ins.IsIPRelativeMemoryOperand && _elf.GotSlotSymbol(ins.IPRelativeMemoryAddress - _bias) is string tail)
                        {
                            if (Allocators.Contains(tail)) n.TailCallsAllocator = true;
                            else if (_byName.TryGetValue(tail, out int callee))
                            {
                                n.TailCallees.Add(callee);
                                Add(_tailCallers, callee, i);
                            }
                        }
                        break;
                    case FlowControl.Next when ins.Mnemonic == Mnemonic.Lea && ins.IsIPRelativeMemoryOperand:
                        TakeAddress(ins.IPRelativeMemoryAddress);
                        break;
                    case FlowControl.Next when ins.Mnemonic == Mnemonic.Mov && ins.Op1Kind is OpKind.Immediate32 or OpKind.Immediate32to64 or OpKind.Immediate64:
                        TakeAddress(ins.GetImmediate(1));
                        break;
                }
            }
        }

        /// <summary>The function of this file that <paramref name="target"/> is, or whose PLT entry it is: in a shared
        /// library, a call of one of its own exported functions goes through the PLT (-fPIC keeps it interposable),
        /// named by the slot's relocation like an import.</summary>
        private bool LocalFunction(ulong target, out int index)
        {
            if (_byAddress.TryGetValue(target - _bias, out index)) return true;
            if (_imports.Stub(target) is string name && _byName.TryGetValue(name, out index)) return true;
            index = -1;
            return false;
        }

        private void TakeAddress(ulong address)
        {
            if (_byAddress.TryGetValue(address - _bias, out int f)) _nodes[f].AddressTaken = true;
        }

        private static void Add<T>(Dictionary<int, List<T>> map, int key, T value)
        {
            if (!map.TryGetValue(key, out List<T>? list)) map[key] = list = new List<T>();
            list.Add(value);
        }

        /// <summary>A PLT entry (<c>[endbr64;] [bnd] jmp *slot(%rip)</c>) whose GOT slot is bound to an allocator.</summary>
        private bool IsAllocatorStub(ulong target)
        {
            if (_allocatorStubs.TryGetValue(target, out bool known)) return known;
            bool result = !_byAddress.ContainsKey(target - _bias) && _imports.Stub(target) is string name && Allocators.Contains(name);
            _allocatorStubs[target] = result;
            return result;
        }

        private void MarkWrapper(int i, bool throughPointer, Queue<int> work)
        {
            Node n = _nodes[i];
            if (n.Wrapper) return;
            n.Wrapper = true;
            n.ThroughPointer = throughPointer;
            if (_callers.TryGetValue(i, out var callers))
                foreach (var (caller, _) in callers)
                    if (!_nodes[caller].Wrapper) work.Enqueue(caller);
            // A tail call hands the wrapper's result back as the caller's own.
            if (_tailCallers.TryGetValue(i, out var tails))
                foreach (int t in tails)
                    MarkWrapper(t, throughPointer, work);
        }

        private FunctionFacts? FactsOf(int i)
        {
            Node n = _nodes[i];
            if (!n.FactsBuilt)
            {
                n.FactsBuilt = true;
                n.Facts = FunctionFacts.Build(_module, n.Symbol.Address);
            }
            return n.Facts;
        }

        private FunctionFacts? Callee(ulong target)
        {
            if (LocalFunction(target, out int i)) return FactsOf(i);
            if (_calleeFacts.TryGetValue(target, out FunctionFacts? f)) return f;
            f = FunctionFacts.Build(_module, target - _bias);
            _calleeFacts[target] = f;
            return f;
        }

        /// <summary>Does a pointer one of <paramref name="i"/>'s allocation calls returns reach its <c>ret</c> untyped?</summary>
        private bool Evaluate(int i, out bool throughPointer)
        {
            throughPointer = false;
            Node n = _nodes[i];
            FunctionFacts? facts = FactsOf(i);
            if (facts is null) return false;
            bool returnsPointer = facts.Function.ReturnType.Unqualified is PointerType;
            if (!returnsPointer && !HasOutParameter(facts)) return false;
            foreach (CallSite s in n.Sites)
            {
                if (s.Kind == SiteKind.Direct && !_nodes[s.Callee].Wrapper) continue;
                int calleeOut = s.Kind == SiteKind.Direct ? _nodes[s.Callee].OutParameter : -1;
                int handsBack = HandsBack(facts, s.ReturnPc, calleeOut, returnsPointer);
                if (handsBack == NotHandedBack) continue;
                throughPointer = s.Kind == SiteKind.Indirect;
                n.OutParameter = handsBack == Returned ? -1 : handsBack;
                return true;
            }
            return false;
        }

        private const int NotHandedBack = -2, Returned = -1;

        /// <summary>A <c>void **</c> or <c>char **</c> parameter, through which a block may go back to the caller.</summary>
        private static bool HasOutParameter(FunctionFacts facts)
        {
            IReadOnlyList<Variable> ps = facts.Function.Parameters;
            for (int k = 0; k < ps.Count; k++)
                if (ResultFlow.PointerTarget(ps[k].Type)?.Unqualified is PointerType inner &&
                    (inner.Target.Unqualified is VoidType || ResultFlow.IsByte(inner.Target)))
                    return true;
            return false;
        }

        /// <summary>Does the block the call returning to <paramref name="returnPc"/> produced (its result, or its
        /// argument <paramref name="calleeOut"/> for a wrapper that hands it back through a parameter) reach the
        /// function's <c>ret</c> untyped (<see cref="Returned"/>), or a <c>void **</c> parameter (its index)?</summary>
        private int HandsBack(FunctionFacts facts, ulong returnPc, int calleeOut, bool returnsPointer)
        {
            FlowResult flow = calleeOut >= 0 ? new ResultFlow(facts, Callee, _imports).FollowOutParameter(returnPc, calleeOut, 0)
                                             : new ResultFlow(facts, Callee, _imports).Follow(returnPc);
            if (flow.Kind == FlowEvidence.None || flow.Target is null)
            {
                if (flow.ReturnedUntyped && returnsPointer) return Returned;
                return flow.OutParameter >= 0 ? flow.OutParameter : NotHandedBack;
            }
            if (!returnsPointer || flow.Offset != 0 || !IsWeak(facts, flow.Target)) return NotHandedBack;
            // A size header typed as a scalar counts only in a function that returns void * (sqlite3MemMalloc).
            if (ResultFlow.IsScalar(flow.Target) && !SiteTypeResolver.ReturnsVoidPointer(facts)) return NotHandedBack;
            FlowResult refined = new ResultFlow(facts, Callee, _imports).Refine(returnPc, flow.Target);
            return refined.Kind == FlowEvidence.None && refined.ReturnedUntyped ? Returned : NotHandedBack;
        }

        /// <summary>Bytes, or a header struct: one that another struct of the function's unit begins with.</summary>
        private bool IsWeak(FunctionFacts facts, CType t)
        {
            CType u = t.Unqualified;
            if (ResultFlow.IsByte(u) || ResultFlow.IsScalar(u)) return true;
            if (u is not StructType { IsDeclaration: false, Kind: CTypeKind.Struct } st || st.Members.Count == 0 || facts.Unit is null) return false;
            var key = (facts.Unit.DieOffset, st.DieOffset);
            if (_headers.TryGetValue(key, out bool known)) return known;
            bool header = false;
            IReadOnlyList<CType> types = facts.Unit.Types;
            for (int k = 0; k < types.Count && !header; k++)
                header = types[k].Unqualified is StructType other && !ReferenceEquals(other, st) && SiteTypeResolver.Extends(other, st);
            _headers[key] = header;
            return header;
        }

        private int ExtraOf(int i, HashSet<int> onPath, List<int> pointerWrappers)
        {
            Node n = _nodes[i];
            if (n.Extra >= 0) return n.Extra;
            if (!onPath.Add(i)) return 0; // recursion: counted once
            int above = 0;
            if (_callers.TryGetValue(i, out var callers))
                foreach (var (caller, _) in callers)
                    if (_nodes[caller].Wrapper && caller != i) above = Math.Max(above, ExtraOf(caller, onPath, pointerWrappers));
            // A function that calls the allocator itself and is reached through pointers (its address taken in
            // code, or no direct caller at all: a static table of methods) may be below any wrapper that calls
            // through a pointer (Lua's l_alloc under luaM_malloc_'s g->frealloc).
            bool calledDirectly = callers is { Count: > 0 } || _tailCallers.ContainsKey(i);
            bool leaf = n.TailCallsAllocator || n.Sites.Exists(s => s.Kind == SiteKind.Allocator);
            if (leaf && (n.AddressTaken || !calledDirectly))
                foreach (int p in pointerWrappers)
                    if (p != i) above = Math.Max(above, ExtraOf(p, onPath, pointerWrappers));
            onPath.Remove(i);
            n.Extra = Math.Min(1 + above, MaxExtra);
            return n.Extra;
        }

        private void Emit(WrapperScanResult result)
        {
            var pointerWrappers = new List<int>();
            for (int i = 0; i < _nodes.Count; i++)
                if (_nodes[i].Wrapper && _nodes[i].ThroughPointer) pointerWrappers.Add(i);
            var ranges = new List<WrapperRange>();
            for (int i = 0; i < _nodes.Count; i++)
            {
                Node n = _nodes[i];
                if (!n.Wrapper) continue;
                int extra = ExtraOf(i, new HashSet<int>(), pointerWrappers);
                result.Wrappers.Add((n.Symbol.Name, extra));
                IReadOnlyList<PcRange>? dwarf = n.Facts?.Function.Ranges;
                if (dwarf is { Count: > 0 })
                    foreach (PcRange r in dwarf) ranges.Add(new WrapperRange(r.Start, r.End, extra));
                else
                    ranges.Add(new WrapperRange(n.Symbol.Address, n.Symbol.Address + n.Symbol.Size, extra));
            }
            ranges.Sort((a, b) => a.Start.CompareTo(b.Start));
            foreach (WrapperRange r in ranges)
            {
                if (r.End <= r.Start) continue;
                if (result.Ranges.Count > 0 && r.Start < result.Ranges[^1].End)
                {
                    WrapperRange last = result.Ranges[^1];
                    result.Ranges[^1] = new WrapperRange(last.Start, Math.Max(last.End, r.End), Math.Max(last.Extra, r.Extra));
                    continue;
                }
                result.Ranges.Add(r);
            }
        }
    }
}

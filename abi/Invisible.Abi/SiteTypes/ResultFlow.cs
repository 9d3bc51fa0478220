using System;
using System.Collections.Generic;
using Iced.Intel;
using Invisible.Abi.Dwarf;
using IcedRegister = Iced.Intel.Register;

namespace Invisible.Abi.SiteTypes;

/// <summary>What the code after an allocation call does with the result.</summary>
internal enum FlowEvidence : byte
{
    None,
    /// <summary>A call-site DIE names the allocated type.</summary>
    CallSite,
    /// <summary>Stored into a local variable (stack slot) of type T *.</summary>
    Variable,
    /// <summary>Stored into a struct member or array element of type T *.</summary>
    Member,
    /// <summary>Stored into a global variable (or a member of one) of type T *.</summary>
    Global,
    /// <summary>Held in a register that a location list assigns to a variable of type T *.</summary>
    Register,
    /// <summary>Passed as an argument whose parameter type is T *.</summary>
    Argument,
    /// <summary>Returned by a function whose return type is T *.</summary>
    Returned,
}

/// <summary>Result of following the allocation result through the machine code.</summary>
internal readonly struct FlowResult
{
    public FlowResult(FlowEvidence kind, CType? target, long offset, bool returnedUntyped, bool readable)
        : this(kind, target, offset, returnedUntyped, readable, 0, -1, 0) { }

    public FlowResult(FlowEvidence kind, CType? target, long offset, bool returnedUntyped, bool readable,
                      long returnOffset, int outParameter, long outOffset)
    {
        Kind = kind; Target = target; Offset = offset; ReturnedUntyped = returnedUntyped; Readable = readable;
        ReturnOffset = returnOffset; OutParameter = outParameter; OutOffset = outOffset;
    }

    public FlowEvidence Kind { get; }
    /// <summary>T of the T * the result went into (typedefs kept for naming).</summary>
    public CType? Target { get; }
    /// <summary>Offset of the stored pointer from the block start (8 for C++ <c>new T[n]</c> with a cookie).</summary>
    public long Offset { get; }
    /// <summary>The result reached a <c>ret</c> of a function returning <c>void *</c> (or with no DWARF type).</summary>
    public bool ReturnedUntyped { get; }
    /// <summary>The code could be read and decoded.</summary>
    public bool Readable { get; }
    /// <summary>With <see cref="ReturnedUntyped"/>: how far into the block the returned pointer points (8 for
    /// SQLite's <c>sqlite3MemMalloc</c>, which keeps the size in a header and returns <c>p + 1</c>).</summary>
    public long ReturnOffset { get; }
    /// <summary>The block was handed back through a parameter instead (<c>*pp = p</c> with <c>void **pp</c>, as
    /// SQLite's <c>mallocWithAlarm(n, &amp;p)</c>): that parameter's index, else -1.</summary>
    public int OutParameter { get; }
    /// <summary>With <see cref="OutParameter"/>: how far into the block the stored pointer points.</summary>
    public long OutOffset { get; }
}

/// <summary>
/// Forward data flow over the x86-64 code that follows an allocation call, decoded with Iced. It tracks where
/// the returned pointer (initially in rax) goes — registers, stack slots, stores, call arguments, <c>ret</c> —
/// and stops at the first place whose DWARF type is a pointer to something other than void. Paths are explored
/// depth-first (fall-through first), each address once, with a bound on the number of instructions.
/// </summary>
internal sealed class ResultFlow
{
    private const long NotHeld = long.MinValue;
    private const int MaxInstructions = 600;
    /// <summary>The largest header an allocator may put before the pointer it returns (a size word, a few
    /// bookkeeping fields); a pointer further in is a member's address, not the object's.</summary>
    internal const long MaxHeader = 64;
    private const int Rax = 0, Rdx = 1, Rcx = 2, Rbx = 3, Rsi = 4, Rdi = 5, Rbp = 6, Rsp = 7;
    private static readonly int[] ArgumentRegisters = { Rdi, Rsi, Rdx, Rcx, 8, 9 };
    private static readonly int[] CallerSaved = { Rax, Rdx, Rcx, Rsi, Rdi, 8, 9, 10, 11 };

    private readonly FunctionFacts _facts;
    private readonly Func<ulong, FunctionFacts?> _callee;
    private readonly ImportNames? _imports;
    /// <summary>A type already known for the block that places of the same type do not refine (see
    /// <see cref="Refine"/>): such places are passed over as if untyped.</summary>
    private CType? _weak;
    private readonly ulong _bias;
    private readonly InstructionInfoFactory _info = new();

    /// <summary>Register values and types along one path.</summary>
    private sealed class PathState
    {
        public readonly long[] Value = new long[16];   // offset of the result held, or NotHeld
        public readonly CType?[] Typed = new CType?[16]; // pointer type loaded from a typed place
        public readonly Dictionary<long, long> Slots = new(); // CFA-relative spill slot -> offset held
        /// <summary>Untyped members (<c>void *</c>) the block was stored into, by the struct they belong to and their
        /// offset in it: a later load of the same member gives it back (SQLite's <c>pBt->pSchema = p; ...; return
        /// pBt->pSchema;</c>).</summary>
        public readonly Dictionary<(CType Container, long Offset), long> Members = new();
        public readonly int[] Parameter = new int[16]; // index of the parameter whose value the register holds, or -1
        public ulong Pc;
        /// <summary>What the last flag-setting instruction compared with zero: a register or a slot holding the
        /// block (<c>test rax, rax</c>, <c>cmp qword [rbp-8], 0</c>), so the branch taken when it is null can be
        /// dropped: no block there.</summary>
        public int NullTestedRegister = -1;
        public long? NullTestedSlot;

        public PathState() { Array.Fill(Value, NotHeld); Array.Fill(Parameter, -1); }

        public PathState Clone(ulong pc)
        {
            var c = new PathState { Pc = pc };
            Array.Copy(Value, c.Value, 16);
            Array.Copy(Typed, c.Typed, 16);
            Array.Copy(Parameter, c.Parameter, 16);
            foreach (var (k, v) in Slots) c.Slots[k] = v;
            foreach (var (k, v) in Members) c.Members[k] = v;
            return c;
        }

        public void Clear(int reg)
        {
            Value[reg] = NotHeld;
            Typed[reg] = null;
            Parameter[reg] = -1;
        }
    }

    /// <param name="imports">Names of the functions the file imports, to know calls of memset and memcpy (which
    /// return the block passed in); null when unknown.</param>
    internal ResultFlow(FunctionFacts facts, Func<ulong, FunctionFacts?> callee, ImportNames? imports)
    {
        _facts = facts;
        _callee = callee;
        _imports = imports;
        _bias = facts.Module.Bias;
    }

    /// <summary>Follow the value returned by the call whose return address is <paramref name="returnPc"/>
    /// (runtime address).</summary>
    public FlowResult Follow(ulong returnPc) => Follow(returnPc, null);

    /// <summary>
    /// Follow the block's pointer looking for a more specific type than <paramref name="weak"/>: places typed
    /// <paramref name="weak"/> (a header struct such as Lua's <c>GCObject</c>, or a byte type) do not stop the
    /// walk, and a <c>ret</c> of the pointer typed <paramref name="weak"/> counts as returned untyped, so the
    /// caller can go on to the next frame. Used by <see cref="SiteTypeResolver"/> once the first typed place is
    /// known.
    /// </summary>
    public FlowResult Refine(ulong returnPc, CType weak) => Follow(returnPc, weak);

    /// <summary>
    /// Follow a block that the call returning to <paramref name="returnPc"/> handed back through its argument
    /// <paramref name="argument"/> (a <c>void **</c>, see <see cref="FlowResult.OutParameter"/>): the frame slot
    /// whose address was passed holds the block (at <paramref name="offset"/>) after the call.
    /// </summary>
    public FlowResult FollowOutParameter(ulong returnPc, int argument, long offset)
    {
        _weak = null;
        if (argument < 0 || argument >= ArgumentRegisters.Length || !SlotPassedTo(returnPc, ArgumentRegisters[argument], out long slot))
            return new FlowResult(FlowEvidence.None, null, 0, false, false);
        var start = new PathState { Pc = returnPc };
        start.Slots[slot] = offset;
        return Run(start);
    }

    /// <summary>The frame slot (CFA-relative) whose address register <paramref name="register"/> holds at the call
    /// that returns to <paramref name="returnPc"/>: <c>lea rsi, [rbp-0x10]</c> (or into another register, then
    /// moved) before the call. A straight-line decode from the start of the function's range: the definitions
    /// just before a call are what it receives.</summary>
    private bool SlotPassedTo(ulong returnPc, int register, out long slot)
    {
        slot = 0;
        ulong dwarfReturn = returnPc - _bias;
        var slots = new long?[16];
        foreach (PcRange r in _facts.Function.Ranges)
        {
            if (dwarfReturn <= r.Start || dwarfReturn > r.End) continue;
            ulong pc = r.Start + _bias;
            for (int n = 0; n < 200_000 && pc < returnPc; n++)
            {
                if (!Decode(pc, out Instruction ins)) return false;
                ulong dwarfPc = pc - _bias;
                pc = ins.NextIP;
                if (ins.NextIP == returnPc)
                {
                    if (ins.FlowControl is not (FlowControl.Call or FlowControl.IndirectCall) || slots[register] is not long s) return false;
                    slot = s;
                    return true;
                }
                if (ins.FlowControl is FlowControl.Call or FlowControl.IndirectCall)
                {
                    foreach (int c in CallerSaved) slots[c] = null;
                    continue;
                }
                int d = ins.Op0Kind == OpKind.Register ? Gpr64(ins.Op0Register) : -1;
                if (ins.Mnemonic == Mnemonic.Lea && d >= 0 && ins.MemoryIndex == IcedRegister.None &&
                    Gpr64(ins.MemoryBase) is int b && (b == Rbp || b == Rsp) &&
                    _facts.RegisterToCfa(dwarfPc, b, (long)ins.MemoryDisplacement64, out long at))
                {
                    slots[d] = at;
                    continue;
                }
                if (ins.Mnemonic == Mnemonic.Mov && d >= 0 && ins.Op1Kind == OpKind.Register &&
                    ins.Op0Register.GetFullRegister() == ins.Op0Register && Gpr64(ins.Op1Register) is int from && from >= 0)
                {
                    slots[d] = slots[from];
                    continue;
                }
                InstructionInfo info = _info.GetInfo(ins);
                foreach (UsedRegister u in info.GetUsedRegisters())
                {
                    if (u.Access is OpAccess.Read or OpAccess.CondRead or OpAccess.None or OpAccess.NoMemAccess) continue;
                    int w = Gpr64(u.Register);
                    if (w >= 0 && w != Rsp) slots[w] = null;
                }
            }
        }
        return false;
    }

    private FlowResult Follow(ulong returnPc, CType? weak)
    {
        _weak = weak;
        CType? declared = _facts.CallSiteType(returnPc - _bias);
        if (declared is not null && declared.Unqualified is not VoidType && !IsWeak(declared))
            return new FlowResult(FlowEvidence.CallSite, declared, 0, false, true);

        var start = new PathState { Pc = returnPc };
        start.Value[Rax] = 0;
        return Run(start);
    }

    private long _returnOffset;
    private int _outParameter = -1;
    private long _outOffset;

    private FlowResult Run(PathState start)
    {
        _returnOffset = 0;
        _outParameter = -1;
        _outOffset = 0;
        var pending = new Stack<PathState>();
        pending.Push(start);
        var visited = new HashSet<ulong>();
        bool returnedUntyped = false, readable = false;
        int budget = MaxInstructions;
        while (pending.Count > 0 && budget > 0)
        {
            PathState s = pending.Pop();
            while (budget-- > 0)
            {
                if (!visited.Add(s.Pc) || !Decode(s.Pc, out Instruction ins)) break;
                readable = true;
                ulong dwarfPc = s.Pc - _bias;
                SiteTypeResolver.Debug?.Invoke("  " + s.Pc.ToString("x") + " " + ins.ToString() + "  held:" + Held(s));
                FlowResult? found = HeldInVariable(s, dwarfPc);
                if (found is not null) return found.Value;
                if (!AnyHeld(s)) break;
                found = Step(s, in ins, dwarfPc, pending, ref returnedUntyped, out bool stop);
                if (found is not null) return found.Value;
                if (stop) break;
            }
        }
        return new FlowResult(FlowEvidence.None, null, 0, returnedUntyped, readable, _returnOffset,
                              returnedUntyped ? -1 : _outParameter, _outOffset);
    }

    private bool Decode(ulong pc, out Instruction ins) => _facts.Decode(pc, out ins);

    private static string Held(PathState s)
    {
        var sb = new System.Text.StringBuilder();
        for (int r = 0; r < 16; r++) if (s.Value[r] != NotHeld) sb.Append(" r").Append(r).Append('+').Append(s.Value[r]);
        foreach (var (k, v) in s.Slots) sb.Append(" cfa").Append(k).Append('+').Append(v);
        return sb.ToString();
    }

    private static bool AnyHeld(PathState s)
    {
        for (int r = 0; r < 16; r++) if (s.Value[r] != NotHeld) return true;
        return s.Slots.Count > 0 || s.Members.Count > 0;
    }

    /// <summary>-O2: a location list says a register holding the result is variable v here.</summary>
    private FlowResult? HeldInVariable(PathState s, ulong dwarfPc)
    {
        for (int r = 0; r < 16; r++)
        {
            if (s.Value[r] == NotHeld) continue;
            CType? target = PointerTarget(_weak is null ? _facts.VariableInRegister(dwarfPc, r)
                                                        : _facts.VariableInRegister(dwarfPc, r, IsWeakPointer));
            if (target is not null) return new FlowResult(FlowEvidence.Register, target, s.Value[r], false, true);
        }
        return null;
    }

    /// <summary>Interpret one instruction. Returns evidence when found; sets <paramref name="stop"/> when the path ends.</summary>
    private FlowResult? Step(PathState s, in Instruction ins, ulong dwarfPc, Stack<PathState> pending, ref bool returnedUntyped, out bool stop)
    {
        stop = false;
        ulong next = ins.NextIP;
        switch (ins.FlowControl)
        {
            case FlowControl.Return:
                stop = true;
                return Return(s.Value[Rax], ref returnedUntyped);
            case FlowControl.UnconditionalBranch:
                if (ins.Op0Kind is OpKind.NearBranch64)
                {
                    ulong target = ins.NearBranchTarget;
                    if (_facts.Contains(target - _bias)) { s.Pc = target; return null; }
                    stop = true;
                    // A tail call of memset (gcc's -O2 for `memset(p, 0, n); return p;`): memset's result, the
                    // block, is this function's.
                    if (s.Value[Rdi] != NotHeld && ReturnsFirstArgument(in ins)) return Return(s.Value[Rdi], ref returnedUntyped);
                    return Arguments(s, target); // tail call
                }
                stop = true;
                return null;
            case FlowControl.ConditionalBranch:
            {
                // After a null test of the block, the branch where it is null holds no block: not followed.
                bool tested = s.NullTestedRegister >= 0 || s.NullTestedSlot is not null;
                bool nullWhenTaken = tested && ins.ConditionCode == ConditionCode.e;
                bool nullWhenNot = tested && ins.ConditionCode == ConditionCode.ne;
                if (ins.Op0Kind is OpKind.NearBranch64 && _facts.Contains(ins.NearBranchTarget - _bias) && !nullWhenTaken)
                    pending.Push(s.Clone(ins.NearBranchTarget));
                if (nullWhenNot) { stop = true; return null; }
                s.Pc = next;
                return null;
            }
            case FlowControl.Call:
            {
                FlowResult? arg = ins.Op0Kind is OpKind.NearBranch64 ? Arguments(s, ins.NearBranchTarget) : null;
                if (arg is not null) return arg;
                AfterCall(s, in ins);
                s.Pc = next;
                return null;
            }
            case FlowControl.IndirectBranch:
                stop = true;
                if (s.Value[Rdi] != NotHeld && ReturnsFirstArgument(in ins)) return Return(s.Value[Rdi], ref returnedUntyped);
                return null;
            case FlowControl.Interrupt:
            case FlowControl.Exception:
                stop = true;
                return null;
            case FlowControl.IndirectCall:
                AfterCall(s, in ins);
                s.Pc = next;
                return null;
        }
        s.Pc = next;
        NullTest(s, in ins, dwarfPc);
        switch (ins.Mnemonic)
        {
            case Mnemonic.Mov:
                return Move(s, in ins, dwarfPc);
            case Mnemonic.Lea:
            {
                int d = Gpr64(ins.Op0Register);
                if (d < 0) break;
                if (ins.IsIPRelativeMemoryOperand)
                {
                    // The address of a global: typed as a pointer to it, for indexed stores (vectors[i] = p).
                    s.Clear(d);
                    CType? g = _facts.GlobalObject(ins.IPRelativeMemoryAddress - _bias);
                    if (g is not null) s.Typed[d] = _facts.PointerTo(g);
                    return null;
                }
                int b = Gpr64(ins.MemoryBase);
                long v = b >= 0 && ins.MemoryIndex == IcedRegister.None ? s.Value[b] : NotHeld;
                s.Clear(d);
                if (v != NotHeld) s.Value[d] = v + (long)ins.MemoryDisplacement64;
                return null;
            }
            case Mnemonic.Add:
            case Mnemonic.Sub:
            {
                if (ins.Op0Kind == OpKind.Memory && IsImmediate(ins.Op1Kind) && ins.MemorySize == MemorySize.UInt64 &&
                    Classify(s, in ins, dwarfPc) is { Kind: PlaceKind.Slot } slotPlace && s.Slots.TryGetValue(slotPlace.Slot, out long inSlot))
                {
                    // -O0's p++ on a spilled pointer: add qword [rbp-8], 8
                    long imm = (long)ins.GetImmediate(1);
                    s.Slots[slotPlace.Slot] = inSlot + (ins.Mnemonic == Mnemonic.Add ? imm : -imm);
                    return null;
                }
                int d = ins.Op0Kind == OpKind.Register ? Gpr64(ins.Op0Register) : -1;
                if (d >= 0 && s.Value[d] != NotHeld && IsImmediate(ins.Op1Kind))
                {
                    long imm = (long)ins.GetImmediate(1);
                    s.Value[d] += ins.Mnemonic == Mnemonic.Add ? imm : -imm;
                    s.Typed[d] = null;
                    return null;
                }
                break;
            }
            case Mnemonic.Cmp:
            case Mnemonic.Test:
            case Mnemonic.Nop:
                return null;
        }
        ClearWritten(s, in ins);
        return null;
    }

    /// <summary>A <c>ret</c> (or a tail call that returns the block) with <paramref name="held"/> the offset of the
    /// block <c>rax</c> holds, or <see cref="NotHeld"/>.</summary>
    private FlowResult? Return(long held, ref bool returnedUntyped)
    {
        if (held == 0)
        {
            CType? ret = PointerTarget(_facts.Function.ReturnType);
            if (ret is not null && !IsWeak(ret)) return new FlowResult(FlowEvidence.Returned, ret, 0, false, true);
            if (ret is not null) { Returned(ref returnedUntyped, 0); return null; }
            // Only a function that returns a pointer hands the block to its caller (a void
            // function leaves a stale rax behind).
            if (_facts.Function.ReturnType.Unqualified is PointerType) Returned(ref returnedUntyped, 0);
        }
        else if (held > 0 && held <= MaxHeader && _facts.Function.ReturnType.Unqualified is PointerType &&
                 PointerTarget(_facts.Function.ReturnType) is null)
        {
            // void *: the block past a header the function wrote (sqlite3MemMalloc's size word).
            Returned(ref returnedUntyped, held);
        }
        return null;
    }

    /// <summary>A call returns: the caller-saved registers hold something else, except that a call of memset,
    /// memcpy or memmove returns its first argument, so a block passed in <c>rdi</c> comes back in <c>rax</c>.</summary>
    private void AfterCall(PathState s, in Instruction ins)
    {
        long first = s.Value[Rdi];
        bool identity = first != NotHeld && ReturnsFirstArgument(in ins);
        foreach (int r in CallerSaved) s.Clear(r);
        if (identity) s.Value[Rax] = first;
        s.NullTestedRegister = -1;
        s.NullTestedSlot = null;
    }

    /// <summary>The call or jump reaches memset, memcpy, memmove... (<see cref="ImportNames.ReturnsFirstArgument"/>),
    /// imported through the PLT or the GOT.</summary>
    private bool ReturnsFirstArgument(in Instruction ins) => _imports is not null && ImportNames.ReturnsFirstArgument(_imports.Target(in ins));

    /// <summary>Record the block handed to the caller at <paramref name="offset"/>; the first path's offset wins.</summary>
    private void Returned(ref bool returnedUntyped, long offset)
    {
        if (!returnedUntyped) _returnOffset = offset;
        returnedUntyped = true;
    }

    /// <summary>Remember a comparison of the block with zero (for the branch that follows); any other
    /// flag-setting instruction forgets it.</summary>
    private void NullTest(PathState s, in Instruction ins, ulong dwarfPc)
    {
        if (ins.Mnemonic == Mnemonic.Test && ins.Op0Kind == OpKind.Register && ins.Op1Kind == OpKind.Register &&
            ins.Op0Register == ins.Op1Register && ins.Op0Register.GetFullRegister() == ins.Op0Register &&
            Gpr64(ins.Op0Register) is int r && r >= 0 && s.Value[r] != NotHeld)
        {
            s.NullTestedRegister = r;
            s.NullTestedSlot = null;
            return;
        }
        if (ins.Mnemonic == Mnemonic.Cmp && IsImmediate(ins.Op1Kind) && ins.GetImmediate(1) == 0)
        {
            if (ins.Op0Kind == OpKind.Register && ins.Op0Register.GetFullRegister() == ins.Op0Register &&
                Gpr64(ins.Op0Register) is int c && c >= 0 && s.Value[c] != NotHeld)
            {
                s.NullTestedRegister = c;
                s.NullTestedSlot = null;
                return;
            }
            if (ins.Op0Kind == OpKind.Memory && ins.MemorySize == MemorySize.UInt64 &&
                Classify(s, in ins, dwarfPc) is { Kind: PlaceKind.Slot } p && s.Slots.ContainsKey(p.Slot))
            {
                s.NullTestedRegister = -1;
                s.NullTestedSlot = p.Slot;
                return;
            }
        }
        if (ins.RflagsModified != RflagsBits.None)
        {
            s.NullTestedRegister = -1;
            s.NullTestedSlot = null;
        }
    }

    private static bool IsImmediate(OpKind k) => k is OpKind.Immediate8 or OpKind.Immediate8to64 or OpKind.Immediate32 or OpKind.Immediate32to64 or OpKind.Immediate16;

    private void ClearWritten(PathState s, in Instruction ins)
    {
        InstructionInfo info = _info.GetInfo(ins);
        foreach (UsedRegister u in info.GetUsedRegisters())
        {
            if (u.Access is OpAccess.Read or OpAccess.CondRead or OpAccess.None or OpAccess.NoMemAccess) continue;
            int r = Gpr64(u.Register);
            if (r >= 0 && r != Rsp) s.Clear(r);
        }
    }

    private FlowResult? Move(PathState s, in Instruction ins, ulong dwarfPc)
    {
        if (ins.Op0Kind == OpKind.Register)
        {
            int d = Gpr64(ins.Op0Register);
            if (d < 0) return null;
            bool full = ins.Op0Register.GetFullRegister() == ins.Op0Register;
            if (ins.Op1Kind == OpKind.Register)
            {
                int src = Gpr64(ins.Op1Register);
                long v = full && src >= 0 ? s.Value[src] : NotHeld;
                CType? t = full && src >= 0 ? s.Typed[src] : null;
                int param = full && src >= 0 ? ParameterIn(s, src, dwarfPc) : -1;
                s.Clear(d);
                s.Value[d] = v;
                s.Typed[d] = t;
                s.Parameter[d] = param;
                return null;
            }
            if (ins.Op1Kind == OpKind.Memory && full)
            {
                Place p = Classify(s, in ins, dwarfPc);
                s.Clear(d);
                if (p.Kind == PlaceKind.Slot)
                {
                    if (s.Slots.TryGetValue(p.Slot, out long held)) s.Value[d] = held;
                    else
                    {
                        s.Typed[d] = Pointer(_facts.VariableAtSlot(dwarfPc, p.Slot));
                        s.Parameter[d] = _facts.ParameterAtSlot(dwarfPc, p.Slot);
                    }
                }
                else if (p.Container is not null && s.Members.TryGetValue((p.Container, p.Displacement), out long member))
                    s.Value[d] = member; // the untyped member the block was stored into, read back
                else s.Typed[d] = Pointer(p.Type);
                return null;
            }
            s.Clear(d);
            return null;
        }
        if (ins.Op0Kind == OpKind.Memory && ins.Op1Kind == OpKind.Register)
        {
            int src = Gpr64(ins.Op1Register);
            if (src < 0 || ins.Op1Register.GetFullRegister() != ins.Op1Register || s.Value[src] == NotHeld)
            {
                Place over = Classify(s, in ins, dwarfPc);
                if (over.Kind == PlaceKind.Slot) s.Slots.Remove(over.Slot); // the spill slot now holds something else
                else if (over.Container is not null) s.Members.Remove((over.Container, over.Displacement));
                return null;
            }
            long offset = s.Value[src];
            if (OutParameterStore(s, in ins, dwarfPc, offset)) return null;
            Place p = Classify(s, in ins, dwarfPc);
            switch (p.Kind)
            {
                case PlaceKind.Slot:
                {
                    // The variable the slot holds once the store is done: at -O2 a slot is shared, and the location
                    // list of its previous variable still covers the store that overwrites it.
                    CType? target = PointerTarget(_facts.VariableAtSlot(ins.NextIP - _bias, p.Slot));
                    if (target is not null && !IsWeak(target)) return new FlowResult(FlowEvidence.Variable, target, offset, false, true);
                    s.Slots[p.Slot] = offset; // a spill or a void * local: keep following
                    return null;
                }
                case PlaceKind.Member:
                case PlaceKind.Global:
                {
                    CType? target = PointerTarget(p.Type);
                    if (target is not null && !IsWeak(target))
                        return new FlowResult(p.Kind == PlaceKind.Global ? FlowEvidence.Global : FlowEvidence.Member, target, offset, false, true);
                    if (target is null && p.Container is not null && p.Type?.Unqualified is PointerType)
                        s.Members[(p.Container, p.Displacement)] = offset; // void *: followed if read back
                    return null;
                }
            }
            return null;
        }
        if (ins.Op0Kind == OpKind.Memory)
        {
            Place p = Classify(s, in ins, dwarfPc);
            if (p.Kind == PlaceKind.Slot) s.Slots.Remove(p.Slot);
        }
        return null;
    }

    /// <summary>The parameter whose (unchanged) value register <paramref name="r"/> holds: tracked from a load of its
    /// home slot (-O0), or its location list here (-O2); -1 if none.</summary>
    private int ParameterIn(PathState s, int r, ulong dwarfPc)
    {
        if (s.Parameter[r] >= 0) return s.Parameter[r];
        return s.Value[r] == NotHeld && s.Typed[r] is null ? _facts.ParameterInRegister(dwarfPc, r) : -1;
    }

    /// <summary><c>*pp = p</c> where <c>pp</c> is a <c>void **</c> (or <c>char **</c>) parameter: the block goes back
    /// to the caller through it (SQLite's <c>mallocWithAlarm(int n, void **pp)</c>). Recorded, and the store is
    /// not taken as a typed place.</summary>
    private bool OutParameterStore(PathState s, in Instruction ins, ulong dwarfPc, long offset)
    {
        if (_weak is not null || ins.IsIPRelativeMemoryOperand || ins.MemoryIndex != IcedRegister.None || ins.MemoryDisplacement64 != 0)
            return false;
        int b = Gpr64(ins.MemoryBase);
        if (b < 0 || b == Rsp || s.Value[b] != NotHeld) return false;
        int param = ParameterIn(s, b, dwarfPc);
        if (param < 0 || param >= _facts.Function.Parameters.Count) return false;
        CType? pointee = PointerTarget(_facts.Function.Parameters[param].Type);
        if (pointee?.Unqualified is not PointerType inner) return false;
        CType target = inner.Target.Unqualified;
        if (target is not VoidType && !IsByte(target)) return false;
        if (_outParameter < 0)
        {
            _outParameter = param;
            _outOffset = offset;
        }
        return true;
    }

    private enum PlaceKind : byte { Unknown, Slot, Member, Global }

    private readonly struct Place
    {
        public Place(PlaceKind kind, long slot, CType? type) : this(kind, slot, type, null, 0) { }
        public Place(PlaceKind kind, long slot, CType? type, CType? container, long displacement)
        {
            Kind = kind; Slot = slot; Type = type; Container = container; Displacement = displacement;
        }
        /// <summary>For a member of a struct reached through a typed pointer without an index: that struct.</summary>
        public CType? Container { get; }
        public long Displacement { get; }
        public PlaceKind Kind { get; }
        public long Slot { get; }
        /// <summary>Type of the memory the operand designates (for members and globals).</summary>
        public CType? Type { get; }
    }

    /// <summary>What the memory operand of <paramref name="ins"/> designates.</summary>
    private Place Classify(PathState s, in Instruction ins, ulong dwarfPc)
    {
        if (ins.IsIPRelativeMemoryOperand)
            return new Place(PlaceKind.Global, 0, _facts.GlobalPlace(ins.IPRelativeMemoryAddress - _bias));
        int b = Gpr64(ins.MemoryBase);
        if (b < 0) return default;
        long disp = (long)ins.MemoryDisplacement64;
        bool indexed = ins.MemoryIndex != IcedRegister.None;
        if ((b == Rbp || b == Rsp) && !indexed)
        {
            // A frame slot when the register is the CFA base; rbp is an ordinary register otherwise (-O2).
            if (_facts.RegisterToCfa(dwarfPc, b, disp, out long slot)) return new Place(PlaceKind.Slot, slot, null);
            if (b == Rsp) return default;
        }
        if (s.Value[b] != NotHeld) return default; // a store into the new block itself
        CType? pointee = PointerTarget(TypeOf(s, b, dwarfPc));
        int scale = ins.MemoryIndexScale;
        if (pointee is null && indexed && scale == 1)
        {
            // [rcx+rdx] with rdx = &array and rcx = i * size (-O0): the typed pointer is the "index".
            int x = Gpr64(ins.MemoryIndex);
            pointee = x >= 0 && s.Value[x] == NotHeld ? PointerTarget(TypeOf(s, x, dwarfPc)) : null;
            CType? element = pointee?.Unqualified is ArrayType arr ? arr.Inner : pointee;
            scale = (int)(element?.Unqualified.Size ?? 0);
        }
        if (pointee is null) return default;
        CType? place = indexed ? ElementAt(pointee, disp, scale) : FieldAt(pointee, disp, 0);
        CType? container = !indexed && pointee.Unqualified is StructType { IsDeclaration: false } ? pointee.Unqualified : null;
        return new Place(PlaceKind.Member, 0, place, container, disp);
    }

    /// <summary>What is known of register r's pointer type here: tracked, location list, or entry typing.</summary>
    private CType? TypeOf(PathState s, int r, ulong dwarfPc) =>
        s.Typed[r] ?? _facts.VariableInRegister(dwarfPc, r) ?? _facts.RegisterTypes(_callee).At(dwarfPc + _bias, r);

    /// <summary>Element access <c>base[i]</c>: the place at <paramref name="disp"/> inside an element.</summary>
    internal static CType? ElementAt(CType pointee, long disp, int scale)
    {
        // &array[0] typed as a pointer to the whole array (lea of a global): index its elements.
        if (pointee.Unqualified is ArrayType a) pointee = a.Inner;
        long size = pointee.Unqualified.Size;
        if (size <= 0 || size != scale) return null;
        return FieldAt(pointee, ((disp % size) + size) % size, 0);
    }

    /// <summary>The innermost member (or array element) type at byte <paramref name="offset"/> of <paramref name="t"/>
    /// that is a pointer; null when that place is not a pointer.</summary>
    internal static CType? FieldAt(CType t, long offset, int depth)
    {
        if (depth > 16 || offset < 0) return null;
        CType u = t.Unqualified;
        if (u is PointerType) return offset == 0 ? t : null;
        if (u is StructType st && !st.IsDeclaration)
        {
            IReadOnlyList<Member> ms = st.Members;
            for (int i = 0; i < ms.Count; i++)
            {
                Member m = ms[i];
                if (m.IsBitfield) continue;
                long size = m.Type.Size;
                if (offset < m.Offset || offset >= m.Offset + Math.Max(size, 1)) continue;
                CType? f = FieldAt(m.Type, offset - m.Offset, depth + 1);
                if (f is not null) return f;
            }
            return null;
        }
        if (u is ArrayType a)
        {
            CType inner = a.Inner;
            long es = inner.Size;
            if (es <= 0) return null;
            return FieldAt(inner, offset % es, depth + 1);
        }
        return null;
    }

    /// <summary>The result is in an argument register at a direct call: the callee's parameter type.</summary>
    private FlowResult? Arguments(PathState s, ulong target)
    {
        bool any = false;
        for (int i = 0; i < ArgumentRegisters.Length; i++) any |= s.Value[ArgumentRegisters[i]] != NotHeld;
        if (!any) return null;
        FunctionFacts? callee = _callee(target);
        if (callee is null) return null;
        IReadOnlyList<Variable> ps = callee.Function.Parameters;
        for (int i = 0; i < ArgumentRegisters.Length && i < ps.Count; i++)
        {
            long v = s.Value[ArgumentRegisters[i]];
            if (v == NotHeld) continue;
            CType? t = PointerTarget(ps[i].Type);
            if (t is not null && !IsWeak(t)) return new FlowResult(FlowEvidence.Argument, t, v, false, true);
        }
        return null;
    }

    /// <summary>True when <paramref name="t"/> says no more than <see cref="_weak"/>: the same struct, or a byte type
    /// when the weak type is one (<c>char *</c> as raw memory).</summary>
    private bool IsWeak(CType t)
    {
        if (_weak is null) return false;
        CType u = t.Unqualified, w = _weak.Unqualified;
        if (ReferenceEquals(u, w)) return true;
        if (u is StructType us && w is StructType ws)
            return us.Tag is not null && us.Kind == ws.Kind && us.Size == ws.Size && string.Equals(us.Tag, ws.Tag, StringComparison.Ordinal);
        if (u is BaseType ub && w is BaseType wb) return ub.Size == wb.Size && ub.Encoding == wb.Encoding;
        return IsByte(u) && IsByte(w);
    }

    private bool IsWeakPointer(CType t) => PointerTarget(t) is CType target && IsWeak(target);

    /// <summary>A scalar wider than a byte (<c>sqlite3_int64</c>, <c>size_t</c>): what an allocator that keeps a size
    /// header before the object types its block as, in a function that returns it as <c>void *</c>.</summary>
    internal static bool IsScalar(CType t) => t.Unqualified is BaseType b && b.Size > 1;

    /// <summary>char, signed char, unsigned char (and typedefs of them): raw bytes, not a type of object.</summary>
    internal static bool IsByte(CType t) => t.Unqualified is BaseType b && b.Size == 1;

    /// <summary>T for a T * that says something: not void *, not a function pointer.</summary>
    internal static CType? PointerTarget(CType? t)
    {
        if (t?.Unqualified is not PointerType p) return null;
        CType target = p.Target;
        CType u = target.Unqualified;
        if (u is VoidType || u is FunctionType || u is UnknownType) return null;
        return target;
    }

    private static CType? Pointer(CType? t) => t?.Unqualified is PointerType ? t : null;

    /// <summary>Iced register → DWARF register number of its 64-bit GPR; -1 for anything else.</summary>
    internal static int Gpr64(IcedRegister r)
    {
        if (r == IcedRegister.None) return -1;
        IcedRegister f = r.GetFullRegister();
        return f switch
        {
            IcedRegister.RAX => 0, IcedRegister.RDX => 1, IcedRegister.RCX => 2, IcedRegister.RBX => 3,
            IcedRegister.RSI => 4, IcedRegister.RDI => 5, IcedRegister.RBP => 6, IcedRegister.RSP => 7,
            IcedRegister.R8 => 8, IcedRegister.R9 => 9, IcedRegister.R10 => 10, IcedRegister.R11 => 11,
            IcedRegister.R12 => 12, IcedRegister.R13 => 13, IcedRegister.R14 => 14, IcedRegister.R15 => 15,
            _ => -1,
        };
    }
}

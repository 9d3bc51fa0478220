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
    {
        Kind = kind; Target = target; Offset = offset; ReturnedUntyped = returnedUntyped; Readable = readable;
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
    private const int Rax = 0, Rdx = 1, Rcx = 2, Rbx = 3, Rsi = 4, Rdi = 5, Rbp = 6, Rsp = 7;
    private static readonly int[] ArgumentRegisters = { Rdi, Rsi, Rdx, Rcx, 8, 9 };
    private static readonly int[] CallerSaved = { Rax, Rdx, Rcx, Rsi, Rdi, 8, 9, 10, 11 };

    private readonly FunctionFacts _facts;
    private readonly Func<ulong, FunctionFacts?> _callee;
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
        public ulong Pc;

        public PathState() { Array.Fill(Value, NotHeld); }

        public PathState Clone(ulong pc)
        {
            var c = new PathState { Pc = pc };
            Array.Copy(Value, c.Value, 16);
            Array.Copy(Typed, c.Typed, 16);
            foreach (var (k, v) in Slots) c.Slots[k] = v;
            return c;
        }

        public void Clear(int reg)
        {
            Value[reg] = NotHeld;
            Typed[reg] = null;
        }
    }

    internal ResultFlow(FunctionFacts facts, Func<ulong, FunctionFacts?> callee)
    {
        _facts = facts;
        _callee = callee;
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

    private FlowResult Follow(ulong returnPc, CType? weak)
    {
        _weak = weak;
        CType? declared = _facts.CallSiteType(returnPc - _bias);
        if (declared is not null && declared.Unqualified is not VoidType && !IsWeak(declared))
            return new FlowResult(FlowEvidence.CallSite, declared, 0, false, true);

        var start = new PathState { Pc = returnPc };
        start.Value[Rax] = 0;
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
        return new FlowResult(FlowEvidence.None, null, 0, returnedUntyped, readable);
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
        return s.Slots.Count > 0;
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
                if (s.Value[Rax] == 0)
                {
                    CType? ret = PointerTarget(_facts.Function.ReturnType);
                    if (ret is not null && !IsWeak(ret)) return new FlowResult(FlowEvidence.Returned, ret, 0, false, true);
                    if (ret is not null) { returnedUntyped = true; stop = true; return null; }
                    // Only a function that returns a pointer hands the block to its caller (a void
                    // function leaves a stale rax behind).
                    if (_facts.Function.ReturnType.Unqualified is PointerType) returnedUntyped = true;
                }
                stop = true;
                return null;
            case FlowControl.UnconditionalBranch:
                if (ins.Op0Kind is OpKind.NearBranch64)
                {
                    ulong target = ins.NearBranchTarget;
                    if (_facts.Contains(target - _bias)) { s.Pc = target; return null; }
                    FlowResult? tail = Arguments(s, target); // tail call
                    stop = true;
                    return tail;
                }
                stop = true;
                return null;
            case FlowControl.ConditionalBranch:
                if (ins.Op0Kind is OpKind.NearBranch64 && _facts.Contains(ins.NearBranchTarget - _bias))
                    pending.Push(s.Clone(ins.NearBranchTarget));
                s.Pc = next;
                return null;
            case FlowControl.Call:
            {
                FlowResult? arg = ins.Op0Kind is OpKind.NearBranch64 ? Arguments(s, ins.NearBranchTarget) : null;
                if (arg is not null) return arg;
                foreach (int r in CallerSaved) s.Clear(r);
                s.Pc = next;
                return null;
            }
            case FlowControl.IndirectBranch:
            case FlowControl.Interrupt:
            case FlowControl.Exception:
                stop = true;
                return null;
            case FlowControl.IndirectCall:
                foreach (int r in CallerSaved) s.Clear(r);
                s.Pc = next;
                return null;
        }
        s.Pc = next;
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
                s.Clear(d);
                s.Value[d] = v;
                s.Typed[d] = t;
                return null;
            }
            if (ins.Op1Kind == OpKind.Memory && full)
            {
                Place p = Classify(s, in ins, dwarfPc);
                s.Clear(d);
                if (p.Kind == PlaceKind.Slot)
                {
                    if (s.Slots.TryGetValue(p.Slot, out long held)) s.Value[d] = held;
                    else s.Typed[d] = Pointer(_facts.VariableAtSlot(dwarfPc, p.Slot));
                }
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
                return null;
            }
            long offset = s.Value[src];
            Place p = Classify(s, in ins, dwarfPc);
            switch (p.Kind)
            {
                case PlaceKind.Slot:
                {
                    CType? target = PointerTarget(_facts.VariableAtSlot(dwarfPc, p.Slot));
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

    private enum PlaceKind : byte { Unknown, Slot, Member, Global }

    private readonly struct Place
    {
        public Place(PlaceKind kind, long slot, CType? type) { Kind = kind; Slot = slot; Type = type; }
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
        return new Place(PlaceKind.Member, 0, place);
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
        return IsByte(u) && IsByte(w);
    }

    private bool IsWeakPointer(CType t) => PointerTarget(t) is CType target && IsWeak(target);

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

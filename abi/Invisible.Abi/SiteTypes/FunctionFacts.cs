using System;
using System.Collections.Generic;
using Invisible.Abi.Dwarf;
using Invisible.Abi.Native;

namespace Invisible.Abi.SiteTypes;

/// <summary>One variable or parameter of a function body (inlined bodies and lexical blocks included), with
/// where it lives: the pc ranges of its scope and its location expression(s) in DWARF addresses.</summary>
internal readonly struct VariableFact
{
    public VariableFact(CType type, PcRange[] scope, LocationRange[] locations, int parameterIndex)
    {
        Type = type;
        Scope = scope;
        Locations = locations;
        ParameterIndex = parameterIndex;
    }

    public CType Type { get; }
    /// <summary>Position among the function's own parameters (0 = first argument); -1 for locals and the
    /// parameters of inlined bodies.</summary>
    public int ParameterIndex { get; }
    public PcRange[] Scope { get; }
    public LocationRange[] Locations { get; }

    public bool InScope(ulong pc)
    {
        if (Scope.Length == 0) return true;
        for (int i = 0; i < Scope.Length; i++) if (Scope[i].Contains(pc)) return true;
        return false;
    }

    /// <summary>The location expression valid at <paramref name="pc"/>, if any.</summary>
    public bool TryLocation(ulong pc, out LocationRange range)
    {
        for (int i = 0; i < Locations.Length; i++)
            if (Locations[i].Covers(pc)) { range = Locations[i]; return true; }
        range = default;
        return false;
    }
}

/// <summary>How a DW_OP_fbreg offset maps to the canonical frame address (CFA).</summary>
internal enum FrameBaseKind : byte { Unknown, Cfa, Register }

/// <summary>
/// What site-type inference needs to know about one function: its variables with locations, its return type,
/// frame base, language, and its code bytes. Built once per function (DWARF read under the module lock) and
/// cached by the resolver.
/// </summary>
internal sealed unsafe class FunctionFacts
{
    private const uint AtFrameBase = 0x40, AtLowPc = 0x11, AtCallReturnPc = 0x7d;
    private const int TagCallSite = 0x48, TagGnuCallSite = 0x4109;

    /// <summary>The type attribute clang attaches to allocation call sites (<c>DW_AT_LLVM_alloc_type</c>,
    /// LLVM's heapallocsite in DWARF). GCC emits nothing comparable; the constant is LLVM's vendor code.</summary>
    internal const uint AtLlvmAllocType = 0x3e0a;

    private readonly List<VariableFact> _variables = new();
    private readonly Dictionary<ulong, CType> _callSiteTypes = new();

    public DwarfModule Module { get; }
    public Function Function { get; }
    public string? Name => Function.Name;
    public bool IsCpp { get; }
    public FrameBaseKind FrameBase { get; private set; }
    /// <summary>For <see cref="FrameBaseKind.Register"/>: the DWARF register number of the frame base.</summary>
    public int FrameBaseRegister { get; private set; }
    public IReadOnlyList<VariableFact> Variables => _variables;
    public CompileUnit? Unit { get; }

    private FunctionFacts(DwarfModule module, Function function, CompileUnit? unit, bool isCpp)
    {
        Module = module;
        Function = function;
        Unit = unit;
        IsCpp = isCpp;
    }

    /// <summary>Facts for the function containing a DWARF pc; null when the module has no DWARF for it.</summary>
    internal static FunctionFacts? Build(DwarfModule module, ulong dwarfPc)
    {
        Function? f = module.FunctionAt(dwarfPc);
        if (f is null || f.Ranges.Count == 0) return null;
        CompileUnit? unit = module.UnitAt(dwarfPc);
        int lang = unit?.Language ?? 0;
        bool cpp = lang == 0x04 || lang == 0x19 || lang == 0x1a || lang == 0x21;
        var facts = new FunctionFacts(module, f, unit, cpp);
        lock (module.Gate)
        {
            DwarfDie die;
            if (module.DwH == 0 || LibDw.dwarf_offdie(module.DwH, f.DieOffset, &die) == null) return facts;
            facts.ReadFrameBase(&die);
            facts.Walk(&die, ToArray(f.Ranges), 0);
        }
        return facts;
    }

    private static PcRange[] ToArray(IReadOnlyList<PcRange> ranges)
    {
        var a = new PcRange[ranges.Count];
        for (int i = 0; i < a.Length; i++) a[i] = ranges[i];
        return a;
    }

    private void ReadFrameBase(DwarfDie* die)
    {
        DwarfAttribute a;
        if (LibDw.dwarf_attr(die, AtFrameBase, &a) == null) return;
        ulong basep, s, e;
        DwarfOp* expr;
        nuint len;
        if (LibDw.dwarf_getlocations(&a, 0, &basep, &s, &e, &expr, &len) <= 0 || len != 1) return;
        byte op = expr[0].Atom;
        if (op == 0x9c) FrameBase = FrameBaseKind.Cfa;                       // DW_OP_call_frame_cfa (GCC)
        else if (op >= 0x50 && op <= 0x5f) { FrameBase = FrameBaseKind.Register; FrameBaseRegister = op - 0x50; } // DW_OP_regN (clang)
    }

    /// <summary>Collect variables of this scope and nested lexical blocks / inlined bodies.</summary>
    private void Walk(DwarfDie* scope, PcRange[] scopeRanges, int depth)
    {
        if (depth > 64) return;
        DwarfDie child;
        if (LibDw.dwarf_child(scope, &child) != 0) return;
        int parameter = 0;
        do
        {
            int tag = LibDw.dwarf_tag(&child);
            switch (tag)
            {
                case Dw.TagVariable:
                case Dw.TagFormalParameter:
                {
                    int index = tag == Dw.TagFormalParameter && depth == 0 ? parameter++ : -1;
                    LocationRange[] locs = ReadLocations(&child);
                    if (locs.Length == 0) break;
                    _variables.Add(new VariableFact(Module.TypeOf(&child), scopeRanges, locs, index));
                    break;
                }
                case Dw.TagLexicalBlock:
                case Dw.TagInlinedSubroutine:
                {
                    PcRange[] inner = Ranges(&child);
                    Walk(&child, inner.Length > 0 ? inner : scopeRanges, depth + 1);
                    break;
                }
                case TagCallSite:
                case TagGnuCallSite:
                    ReadCallSite(&child);
                    break;
            }
        } while (LibDw.dwarf_siblingof(&child, &child) == 0);
    }

    private static PcRange[] Ranges(DwarfDie* die)
    {
        var rs = new List<PcRange>(1);
        ulong b, s, e;
        nint o = 0;
        while ((o = LibDw.dwarf_ranges(die, o, &b, &s, &e)) > 0) rs.Add(new PcRange(s, e));
        return rs.ToArray();
    }

    private static LocationRange[] ReadLocations(DwarfDie* die)
    {
        DwarfAttribute a;
        if (LibDw.dwarf_attr(die, Dw.AtLocation, &a) == null) return Array.Empty<LocationRange>();
        var ranges = new List<LocationRange>(2);
        ulong basep, s, e;
        DwarfOp* expr;
        nuint len;
        nint o = 0;
        int guard = 0;
        while ((o = LibDw.dwarf_getlocations(&a, o, &basep, &s, &e, &expr, &len)) > 0 && guard++ < 4096)
        {
            var ops = new LocationOp[(int)len];
            for (int i = 0; i < ops.Length; i++) ops[i] = new LocationOp(expr[i].Atom, expr[i].Number, expr[i].Number2);
            ranges.Add(new LocationRange(s, e, ops));
        }
        return ranges.ToArray();
    }

    /// <summary>Evidence 1: a call site whose DIE names the allocated type (clang's heapallocsite).</summary>
    private void ReadCallSite(DwarfDie* site)
    {
        DwarfAttribute a;
        ulong returnPc = 0;
        if (LibDw.dwarf_attr(site, AtCallReturnPc, &a) != null) LibDw.dwarf_formaddr(&a, &returnPc);
        else if (LibDw.dwarf_attr(site, AtLowPc, &a) != null) LibDw.dwarf_formaddr(&a, &returnPc);
        if (returnPc == 0 || LibDw.dwarf_attr(site, AtLlvmAllocType, &a) == null) return;
        DwarfDie t;
        if (LibDw.dwarf_formref_die(&a, &t) == null) return;
        _callSiteTypes[returnPc] = Module.TypeAt(LibDw.dwarf_dieoffset(&t));
    }

    /// <summary>The allocated type a call-site DIE records for the call returning to <paramref name="returnPc"/>.</summary>
    public CType? CallSiteType(ulong returnPc) => _callSiteTypes.TryGetValue(returnPc, out CType? t) ? t : null;

    public bool Contains(ulong dwarfPc) => Function.Contains(dwarfPc);

    // ---------------------------------------------------------------- code bytes

    private (ulong Start, byte[] Bytes)[]? _code;

    /// <summary>The function's machine code, read from this process's memory (runtime addresses), or from the file
    /// when the module has a <see cref="DwarfModule.CodeReader"/>.</summary>
    public (ulong Start, byte[] Bytes)[] Code
    {
        get
        {
            if (_code != null) return _code;
            ulong bias = Module.Bias;
            var chunks = new (ulong, byte[])[Function.Ranges.Count];
            for (int i = 0; i < chunks.Length; i++)
            {
                PcRange r = Function.Ranges[i];
                ulong length = r.End > r.Start ? Math.Min(r.End - r.Start, 1u << 20) : 0;
                byte[] bytes;
                if (Module.CodeReader is { } fromFile)
                {
                    bytes = fromFile(r.Start, length); // a module read from its file (WrapperScan), not mapped here
                }
                else
                {
                    bytes = new byte[length];
                    fixed (byte* p = bytes)
                    {
                        long got = length == 0 ? 0 : SelfMemory.Read(r.Start + bias, p, (long)length);
                        if (got < (long)length) Array.Resize(ref bytes, (int)got);
                    }
                }
                chunks[i] = (r.Start + bias, bytes);
            }
            _code = chunks;
            return chunks;
        }
    }

    /// <summary>Decode the instruction at runtime address <paramref name="pc"/> of this function.</summary>
    public bool Decode(ulong pc, out Iced.Intel.Instruction ins)
    {
        foreach ((ulong start, byte[] bytes) in Code)
        {
            if (pc < start || pc >= start + (ulong)bytes.Length) continue;
            int at = (int)(pc - start);
            var reader = new Iced.Intel.ByteArrayCodeReader(bytes, at, bytes.Length - at);
            var decoder = Iced.Intel.Decoder.Create(64, reader, pc);
            decoder.Decode(out ins);
            return !ins.IsInvalid;
        }
        ins = default;
        return false;
    }

    private RegisterTypes? _registerTypes;

    /// <summary>Pointer types of registers at each instruction, propagated from the function entry (built on
    /// first use): what location lists do not say at -O2 (loop cursors, member addresses).</summary>
    internal RegisterTypes RegisterTypes(Func<ulong, FunctionFacts?> callee) => _registerTypes ??= SiteTypes.RegisterTypes.Build(this, callee);

    private readonly Dictionary<CType, PointerType> _pointers = new(ReferenceEqualityComparer.Instance);

    /// <summary>A (synthetic, cached) pointer to <paramref name="target"/>, for the address of a member.</summary>
    internal PointerType PointerTo(CType target)
    {
        if (_pointers.TryGetValue(target, out PointerType? p)) return p;
        p = new PointerType(Module, 0, 8, false, false) { Target = target };
        _pointers[target] = p;
        return p;
    }

    // ---------------------------------------------------------------- globals

    /// <summary>The global variable containing a DWARF address, and the offset into it.</summary>
    private Variable? GlobalContaining(ulong dwarfAddress, out long offset)
    {
        offset = 0;
        ElfSymbol? sym = Module.SymbolAt(dwarfAddress);
        if (sym is null || sym.Value.IsFunction) return null;
        string name = sym.Value.Name;
        int dot = name.IndexOf('.');
        Variable? v = Module.FindGlobal(dot > 0 ? name.Substring(0, dot) : name);
        offset = (long)(dwarfAddress - sym.Value.Address);
        return v;
    }

    /// <summary>The pointer-typed place (a global, its member or element) at a DWARF address; null otherwise.</summary>
    public CType? GlobalPlace(ulong dwarfAddress)
    {
        Variable? v = GlobalContaining(dwarfAddress, out long offset);
        return v is null ? null : ResultFlow.FieldAt(v.Type, offset, 0);
    }

    /// <summary>The type of the object that starts at a DWARF address inside a global (the global itself at
    /// offset 0, else the member or element starting there).</summary>
    public CType? GlobalObject(ulong dwarfAddress)
    {
        Variable? v = GlobalContaining(dwarfAddress, out long offset);
        if (v is null) return null;
        if (offset == 0) return v.Type;
        if (v.Type.Unqualified is ArrayType a)
        {
            long es = a.Inner.Size;
            return es > 0 && offset % es == 0 ? a.Inner : null;
        }
        return SiteTypes.RegisterTypes.MemberStartingAt(v.Type, offset);
    }

    // ---------------------------------------------------------------- CFA

    private readonly Dictionary<ulong, (int Reg, long Offset)> _cfa = new();

    /// <summary>The CFA rule at a DWARF pc as "CFA = register + offset" (DWARF register numbers); false when the
    /// rule is an expression or no CFI covers the pc.</summary>
    public bool TryCfa(ulong dwarfPc, out int register, out long offset)
    {
        if (!_cfa.TryGetValue(dwarfPc, out var rule))
        {
            rule = (-1, 0);
            lock (Module.Gate)
            {
                ulong bias;
                nint cfi = LibDw.dwfl_module_eh_cfi(Module.Mod, &bias);
                if (cfi == 0) cfi = LibDw.dwfl_module_dwarf_cfi(Module.Mod, &bias);
                nint frame;
                // The CFI answers in its own address space: runtime pc - its bias.
                if (cfi != 0 && LibDw.dwarf_cfi_addrframe(cfi, dwarfPc + Module.Bias - bias, &frame) == 0)
                {
                    DwarfOp* ops;
                    nuint n;
                    if (LibDw.dwarf_frame_cfa(frame, &ops, &n) == 0 && n == 1)
                    {
                        byte op = ops[0].Atom;
                        if (op >= 0x70 && op <= 0x8f) rule = (op - 0x70, (long)ops[0].Number);
                        else if (op == 0x92) rule = ((int)ops[0].Number, (long)ops[0].Number2);
                    }
                    LibDw.free((void*)frame);
                }
            }
            _cfa[dwarfPc] = rule;
        }
        register = rule.Reg;
        offset = rule.Offset;
        return rule.Reg >= 0;
    }

    // ---------------------------------------------------------------- variable queries

    /// <summary>A variable that lives in DWARF register <paramref name="register"/> at <paramref name="pc"/>.</summary>
    public CType? VariableInRegister(ulong pc, int register) => VariableInRegister(pc, register, null);

    /// <summary>As <see cref="VariableInRegister(ulong, int)"/>, passing over variables whose type
    /// <paramref name="passOver"/> accepts (several variables may share a register at -O2: <c>o</c> and
    /// <c>t = gco2t(o)</c>).</summary>
    public CType? VariableInRegister(ulong pc, int register, Func<CType, bool>? passOver)
    {
        for (int i = 0; i < _variables.Count; i++)
        {
            VariableFact v = _variables[i];
            if (!v.TryLocation(pc, out LocationRange r) || !v.InScope(pc)) continue;
            if (passOver is not null && passOver(v.Type)) continue;
            IReadOnlyList<LocationOp> ops = r.Ops;
            if (ops.Count != 1) continue;
            byte op = ops[0].Op;
            if (op >= 0x50 && op <= 0x6f && op - 0x50 == register) return v.Type;
            if (op == 0x90 && (int)ops[0].Number == register) return v.Type;
        }
        return null;
    }

    /// <summary>The function's own parameter (its index) that lives in register <paramref name="register"/> at
    /// <paramref name="pc"/>, or -1.</summary>
    public int ParameterInRegister(ulong pc, int register)
    {
        for (int i = 0; i < _variables.Count; i++)
        {
            VariableFact v = _variables[i];
            if (v.ParameterIndex < 0 || !v.TryLocation(pc, out LocationRange r)) continue;
            IReadOnlyList<LocationOp> ops = r.Ops;
            if (ops.Count != 1) continue;
            byte op = ops[0].Op;
            if ((op >= 0x50 && op <= 0x6f && op - 0x50 == register) || (op == 0x90 && (int)ops[0].Number == register))
                return v.ParameterIndex;
        }
        return -1;
    }

    /// <summary>The function's own parameter (its index) kept in memory at CFA + <paramref name="cfaOffset"/> at
    /// <paramref name="pc"/> (its home slot at -O0), or -1.</summary>
    public int ParameterAtSlot(ulong pc, long cfaOffset)
    {
        for (int i = 0; i < _variables.Count; i++)
        {
            VariableFact v = _variables[i];
            if (v.ParameterIndex < 0 || !v.TryLocation(pc, out LocationRange r)) continue;
            IReadOnlyList<LocationOp> ops = r.Ops;
            if (ops.Count == 1 && SlotOf(pc, ops[0], out long slot) && slot == cfaOffset) return v.ParameterIndex;
        }
        return -1;
    }

    /// <summary>A variable stored in memory at CFA + <paramref name="cfaOffset"/> at <paramref name="pc"/>.</summary>
    public CType? VariableAtSlot(ulong pc, long cfaOffset)
    {
        for (int i = 0; i < _variables.Count; i++)
        {
            VariableFact v = _variables[i];
            if (!v.TryLocation(pc, out LocationRange r) || !v.InScope(pc)) continue;
            IReadOnlyList<LocationOp> ops = r.Ops;
            if (ops.Count != 1) continue;
            if (SlotOf(pc, ops[0], out long slot) && slot == cfaOffset) return v.Type;
        }
        return null;
    }

    /// <summary>CFA-relative address of a memory location operation (fbreg / breg of rbp or rsp).</summary>
    private bool SlotOf(ulong pc, LocationOp op, out long slot)
    {
        slot = 0;
        if (op.Op == 0x91) // DW_OP_fbreg
        {
            if (FrameBase == FrameBaseKind.Cfa) { slot = (long)op.Number; return true; }
            if (FrameBase == FrameBaseKind.Register) return RegisterToCfa(pc, FrameBaseRegister, (long)op.Number, out slot);
            return false;
        }
        if (op.Op >= 0x70 && op.Op <= 0x8f) return RegisterToCfa(pc, op.Op - 0x70, (long)op.Number, out slot);
        return false;
    }

    /// <summary>Convert "register + offset" into a CFA-relative offset using the CFA rule at pc.</summary>
    public bool RegisterToCfa(ulong pc, int register, long offset, out long slot)
    {
        slot = 0;
        if (!TryCfa(pc, out int cfaReg, out long cfaOff) || cfaReg != register) return false;
        slot = offset - cfaOff;
        return true;
    }
}

using System;
using System.Collections.Generic;

namespace Invisible.Abi.Dwarf;

/// <summary>A variable or parameter: global, static, local, or formal parameter.</summary>
public sealed class Variable
{
    internal Variable(DwarfModule module, ulong dieOffset, string? name, CType type, Location location, bool isParameter,
        bool isExternal, bool isDeclaration, string? declFile, int declLine, int scopeDepth)
    {
        Module = module; DieOffset = dieOffset; Name = name; Type = type; Location = location; IsParameter = isParameter;
        IsExternal = isExternal; IsDeclaration = isDeclaration; DeclFile = declFile; DeclLine = declLine; ScopeDepth = scopeDepth;
    }
    public DwarfModule Module { get; }
    public ulong DieOffset { get; }
    public string? Name { get; }
    public CType Type { get; }
    /// <summary>Location expression or list (DWARF addresses). Empty when optimized out.</summary>
    public Location Location { get; }
    public bool IsParameter { get; }
    public bool IsExternal { get; }
    public bool IsDeclaration { get; }
    public string? DeclFile { get; }
    public int DeclLine { get; }
    /// <summary>0 for parameters and function-level locals, +1 per nested lexical block / inlined body.</summary>
    public int ScopeDepth { get; }
    public override string ToString() => Type.ToCString(Name);
}

/// <summary>A contiguous pc range [Start, End) in DWARF addresses.</summary>
public readonly struct PcRange
{
    public PcRange(ulong start, ulong end) { Start = start; End = end; }
    public ulong Start { get; }
    public ulong End { get; }
    public bool Contains(ulong pc) => pc >= Start && pc < End;
}

/// <summary>An inlined call inside a <see cref="Function"/>.</summary>
public sealed class InlinedCall
{
    internal InlinedCall(string? name, ulong dieOffset, PcRange[] ranges, string? callFile, int callLine, int depth)
    {
        Name = name; DieOffset = dieOffset; _ranges = ranges; CallFile = callFile; CallLine = callLine; Depth = depth;
    }
    private readonly PcRange[] _ranges;
    public string? Name { get; }
    public ulong DieOffset { get; }
    public IReadOnlyList<PcRange> Ranges => _ranges;
    public string? CallFile { get; }
    public int CallLine { get; }
    /// <summary>1 for an inline directly in the function, 2 for one inlined into that, …</summary>
    public int Depth { get; }
}

/// <summary>A function (DW_TAG_subprogram) with its signature, parameters, locals and inlined calls.</summary>
public sealed class Function
{
    internal Function(DwarfModule module, ulong dieOffset, string? name, string? linkageName, PcRange[] ranges, ulong entryPc,
        FunctionType type, Variable[] parameters, Variable[] locals, InlinedCall[] inlined, string? declFile, int declLine,
        bool isExternal, ulong cuOffset)
    {
        Module = module; DieOffset = dieOffset; Name = name; LinkageName = linkageName; _ranges = ranges; EntryPc = entryPc;
        Type = type; _params = parameters; _locals = locals; _inlined = inlined; DeclFile = declFile; DeclLine = declLine;
        IsExternal = isExternal; CuOffset = cuOffset;
    }
    private readonly PcRange[] _ranges;
    private readonly Variable[] _params, _locals;
    private readonly InlinedCall[] _inlined;
    public DwarfModule Module { get; }
    public ulong DieOffset { get; }
    public ulong CuOffset { get; }
    public string? Name { get; }
    public string? LinkageName { get; }
    /// <summary>Code ranges (DWARF addresses); empty for a declaration or an abstract inline-only function.</summary>
    public IReadOnlyList<PcRange> Ranges => _ranges;
    public ulong EntryPc { get; }
    public ulong LowPc => _ranges.Length > 0 ? _ranges[0].Start : 0;
    /// <summary>The signature (return type, parameter types, variadic).</summary>
    public FunctionType Type { get; }
    public CType ReturnType => Type.ReturnType;
    public IReadOnlyList<Variable> Parameters => _params;
    /// <summary>DW_AT_frame_base (DWARF addresses); empty when absent. gcc and clang on x86-64 emit
    /// <c>DW_OP_call_frame_cfa</c> or a register (rbp/rsp).</summary>
    public Location FrameBase { get; internal init; } = Location.None;
    /// <summary>Locals of the function body and all nested lexical blocks (not those of inlined callees).</summary>
    public IReadOnlyList<Variable> Locals => _locals;
    public IReadOnlyList<InlinedCall> InlinedCalls => _inlined;
    public string? DeclFile { get; }
    public int DeclLine { get; }
    public bool IsExternal { get; }
    public bool Contains(ulong dwarfPc)
    {
        for (int i = 0; i < _ranges.Length; i++) if (_ranges[i].Contains(dwarfPc)) return true;
        return false;
    }
    /// <summary>C prototype, e.g. <c>int sym_plain(int a, int b)</c>.</summary>
    public string Prototype
    {
        get
        {
            var sb = new System.Text.StringBuilder();
            sb.Append(Name ?? "?").Append('(');
            for (int i = 0; i < _params.Length; i++)
            {
                if (i > 0) sb.Append(", ");
                sb.Append(_params[i].Type.ToCString(_params[i].Name));
            }
            if (Type.IsVariadic) sb.Append(_params.Length > 0 ? ", ..." : "...");
            else if (_params.Length == 0 && Type.IsPrototyped) sb.Append("void");
            sb.Append(')');
            return Type.ReturnType.ToCString(sb.ToString());
        }
    }
    public override string ToString() => Prototype;
}

/// <summary>One row of a line table.</summary>
public readonly struct LineRow
{
    public LineRow(ulong address, int line, int column, int fileIndex, bool isStatement, bool endSequence)
    {
        Address = address; Line = line; Column = column; FileIndex = fileIndex; IsStatement = isStatement; EndSequence = endSequence;
    }
    public ulong Address { get; }
    public int Line { get; }
    public int Column { get; }
    /// <summary>Index into <see cref="LineTable.Files"/>.</summary>
    public int FileIndex { get; }
    public bool IsStatement { get; }
    public bool EndSequence { get; }
}

/// <summary>The line table of one compile unit, rows sorted by address (DWARF addresses).</summary>
public sealed class LineTable
{
    private readonly LineRow[] _rows;
    private readonly string[] _files;
    internal LineTable(LineRow[] rows, string[] files) { _rows = rows; _files = files; }
    public IReadOnlyList<LineRow> Rows => _rows;
    public IReadOnlyList<string> Files => _files;
    public string FileOf(in LineRow row) => (uint)row.FileIndex < (uint)_files.Length ? _files[row.FileIndex] : "";

    /// <summary>The row covering a DWARF pc (last row at or before it, not past an end of sequence).</summary>
    public bool TryFind(ulong dwarfPc, out LineRow row)
    {
        int lo = 0, hi = _rows.Length - 1, best = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            if (_rows[mid].Address <= dwarfPc) { best = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        // Several rows can share an address (end of one sequence, start of the next): prefer a non-end row.
        while (best >= 0 && _rows[best].EndSequence && best + 1 < _rows.Length && _rows[best + 1].Address == _rows[best].Address) best++;
        if (best < 0 || _rows[best].EndSequence) { row = default; return false; }
        row = _rows[best];
        return true;
    }

    /// <summary>Lowest address of a statement row for file:line (file compared by suffix); false if none.</summary>
    public bool TryFindAddress(string fileSuffix, int line, out ulong address)
    {
        ulong bestAddr = ulong.MaxValue;
        for (int i = 0; i < _rows.Length; i++)
        {
            LineRow r = _rows[i];
            if (r.Line != line || r.EndSequence || r.Address >= bestAddr) continue;
            if (!FileOf(r).EndsWith(fileSuffix, StringComparison.Ordinal)) continue;
            bestAddr = r.Address;
        }
        address = bestAddr;
        return bestAddr != ulong.MaxValue;
    }
}

/// <summary>One compile unit: name, directory, language, lazily its types and line table.</summary>
public sealed class CompileUnit
{
    internal CompileUnit(DwarfModule module, ulong offset, ulong dieOffset, string? name, string? compDir, int language, int version)
    {
        Module = module; Offset = offset; DieOffset = dieOffset; Name = name; CompDir = compDir; Language = language; Version = version;
    }
    public DwarfModule Module { get; }
    /// <summary>Offset of the unit header in .debug_info.</summary>
    public ulong Offset { get; }
    /// <summary>Offset of the DW_TAG_compile_unit DIE.</summary>
    public ulong DieOffset { get; }
    public string? Name { get; }
    public string? CompDir { get; }
    /// <summary>DW_LANG_* (0x0c = C99, 0x1d = C11, 0x21 = C++14 …).</summary>
    public int Language { get; }
    public int Version { get; }
    internal List<CType>? TopTypes;
    internal LineTable? Lines;

    /// <summary>The unit's line table (read on first use).</summary>
    public LineTable LineTable => Module.LoadLineTable(this);

    /// <summary>Named and anonymous top-level types of this unit (struct/union/enum/typedef/base), read on first use.</summary>
    public IReadOnlyList<CType> Types => Module.LoadUnitTypes(this);

    /// <summary>Top-level type of this unit by name (<c>struct node</c>, <c>size_t</c>, <c>int</c>).</summary>
    public CType? FindType(string name)
    {
        TypeName tn = TypeName.Parse(name);
        IReadOnlyList<CType> ts = Types;
        CType? decl = null;
        for (int i = 0; i < ts.Count; i++)
        {
            CType t = ts[i];
            if (!tn.Matches(t)) continue;
            if (t is StructType { IsDeclaration: true } || t is EnumType { IsDeclaration: true }) { decl ??= t; continue; }
            return t;
        }
        return decl;
    }

    /// <summary>Complete struct/union/class types of this unit whose size is <paramref name="size"/>.</summary>
    public List<CType> TypesOfSize(long size)
    {
        var result = new List<CType>();
        IReadOnlyList<CType> ts = Types;
        for (int i = 0; i < ts.Count; i++)
            if (ts[i] is StructType s && !s.IsDeclaration && s.Size == size) result.Add(s);
        return result;
    }

    public override string ToString() => Name ?? "<unit>";
}

/// <summary>"struct foo" → (Struct, "foo"); "size_t" → (any non-tag, "size_t").</summary>
internal readonly struct TypeName
{
    public readonly CTypeKind Kind; // Struct/Union/Class/Enum, or Unknown for plain names
    public readonly string Name;
    private TypeName(CTypeKind kind, string name) { Kind = kind; Name = name; }

    public static TypeName Parse(string s)
    {
        s = s.Trim();
        if (s.StartsWith("struct ", StringComparison.Ordinal)) return new(CTypeKind.Struct, s.Substring(7).Trim());
        if (s.StartsWith("union ", StringComparison.Ordinal)) return new(CTypeKind.Union, s.Substring(6).Trim());
        if (s.StartsWith("class ", StringComparison.Ordinal)) return new(CTypeKind.Class, s.Substring(6).Trim());
        if (s.StartsWith("enum ", StringComparison.Ordinal)) return new(CTypeKind.Enum, s.Substring(5).Trim());
        return new(CTypeKind.Unknown, s);
    }

    public bool Matches(CType t)
    {
        switch (t)
        {
            case StructType st: return (Kind == st.Kind || Kind == CTypeKind.Struct && st.Kind == CTypeKind.Class) && st.Tag == Name;
            case EnumType et: return Kind == CTypeKind.Enum && et.Tag == Name;
            case TypedefType td: return Kind == CTypeKind.Unknown && td.Name == Name;
            case BaseType bt: return Kind == CTypeKind.Unknown && bt.Name == Name;
            default: return false;
        }
    }

    /// <summary>Index kind bucket: 0 = struct/union/class/enum tag namespace, 1 = ordinary identifiers.</summary>
    public bool IsTag => Kind != CTypeKind.Unknown;
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Invisible.Abi.Dwarf;

/// <summary>One DWARF expression operation (DW_OP_*), as libdw decodes it.</summary>
public readonly struct LocationOp
{
    public LocationOp(byte op, ulong number, ulong number2) { Op = op; Number = number; Number2 = number2; }
    /// <summary>The DW_OP_* code.</summary>
    public byte Op { get; }
    public ulong Number { get; }
    public ulong Number2 { get; }

    public override string ToString()
    {
        string inv = Number.ToString(CultureInfo.InvariantCulture);
        if (Op >= 0x50 && Op <= 0x6f) return "DW_OP_reg" + (Op - 0x50).ToString(CultureInfo.InvariantCulture);
        if (Op >= 0x70 && Op <= 0x8f) return "DW_OP_breg" + (Op - 0x70).ToString(CultureInfo.InvariantCulture) + " " + ((long)Number).ToString(CultureInfo.InvariantCulture);
        if (Op >= 0x30 && Op <= 0x4f) return "DW_OP_lit" + (Op - 0x30).ToString(CultureInfo.InvariantCulture);
        return Op switch
        {
            0x03 => "DW_OP_addr 0x" + Number.ToString("x", CultureInfo.InvariantCulture),
            0x91 => "DW_OP_fbreg " + ((long)Number).ToString(CultureInfo.InvariantCulture),
            0x9c => "DW_OP_call_frame_cfa",
            0x9f => "DW_OP_stack_value",
            0x93 => "DW_OP_piece " + inv,
            0x23 => "DW_OP_plus_uconst " + inv,
            0xf3 or 0xa3 => "DW_OP_entry_value",
            0x06 => "DW_OP_deref",
            0x08 => "DW_OP_const1u " + inv,
            0x09 => "DW_OP_const1s " + ((long)Number).ToString(CultureInfo.InvariantCulture),
            0x0a => "DW_OP_const2u " + inv,
            0x0c => "DW_OP_const4u " + inv,
            0x10 => "DW_OP_constu " + inv,
            0x11 => "DW_OP_consts " + ((long)Number).ToString(CultureInfo.InvariantCulture),
            0xe0 => "DW_OP_GNU_push_tls_address",
            0x9b => "DW_OP_form_tls_address",
            0xa0 => "DW_OP_implicit_pointer",
            0xf2 => "DW_OP_GNU_implicit_pointer",
            0x9e => "DW_OP_implicit_value " + inv,
            _ => "DW_OP_0x" + Op.ToString("x2", CultureInfo.InvariantCulture) + (Number != 0 ? " " + inv : ""),
        };
    }
}

/// <summary>A location expression valid for [Start, End) (DWARF addresses, i.e. before the load bias).
/// A single expression not tied to a range has Start = 0 and End = ulong.MaxValue.</summary>
public readonly struct LocationRange
{
    public LocationRange(ulong start, ulong end, LocationOp[] ops) { Start = start; End = end; _ops = ops; }
    private readonly LocationOp[] _ops;
    public ulong Start { get; }
    public ulong End { get; }
    public IReadOnlyList<LocationOp> Ops => _ops ?? Array.Empty<LocationOp>();
    public bool Covers(ulong dwarfPc) => dwarfPc >= Start && dwarfPc < End;

    public override string ToString()
    {
        var sb = new StringBuilder();
        if (Start != 0 || End != ulong.MaxValue)
            sb.Append("[0x").Append(Start.ToString("x", CultureInfo.InvariantCulture)).Append(", 0x").Append(End.ToString("x", CultureInfo.InvariantCulture)).Append(") ");
        LocationOp[] ops = _ops ?? Array.Empty<LocationOp>();
        for (int i = 0; i < ops.Length; i++)
        {
            if (i > 0) sb.Append("; ");
            sb.Append(ops[i].ToString());
        }
        return sb.ToString();
    }
}

/// <summary>DW_AT_location of a variable: one expression or a location list.</summary>
public sealed class Location
{
    internal static readonly Location None = new(Array.Empty<LocationRange>());
    private readonly LocationRange[] _ranges;
    internal Location(LocationRange[] ranges) { _ranges = ranges; }
    public IReadOnlyList<LocationRange> Ranges => _ranges;
    public bool IsEmpty => _ranges.Length == 0;
    /// <summary>True when it is a location list (several ranges or a bounded range).</summary>
    public bool IsList => _ranges.Length > 1 || (_ranges.Length == 1 && (_ranges[0].Start != 0 || _ranges[0].End != ulong.MaxValue));

    /// <summary>The expression valid at a DWARF pc; false if none covers it.</summary>
    public bool TryAt(ulong dwarfPc, out LocationRange range)
    {
        for (int i = 0; i < _ranges.Length; i++)
            if (_ranges[i].Covers(dwarfPc)) { range = _ranges[i]; return true; }
        range = default;
        return false;
    }

    /// <summary>Static address for DW_OP_addr locations (globals), else null.</summary>
    public ulong? StaticAddress
    {
        get
        {
            if (_ranges.Length == 1 && _ranges[0].Ops.Count >= 1 && _ranges[0].Ops[0].Op == 0x03) return _ranges[0].Ops[0].Number;
            return null;
        }
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < _ranges.Length; i++)
        {
            if (i > 0) sb.Append(" | ");
            sb.Append(_ranges[i].ToString());
        }
        return sb.ToString();
    }
}

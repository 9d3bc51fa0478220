namespace Invisible.Abi.Symbolization;

/// <summary>One symbolized frame. For one pc, inlined frames come first (innermost), then the real function.</summary>
public readonly struct SourceFrame
{
    public SourceFrame(ulong address, string module, ulong moduleOffset, string? function, string? file, int line, bool isInlined)
    {
        Address = address;
        Module = module;
        ModuleOffset = moduleOffset;
        Function = function;
        File = file;
        Line = line;
        IsInlined = isInlined;
    }

    /// <summary>The pc as given to <see cref="ProcessSymbolizer.Symbolize"/>.</summary>
    public ulong Address { get; }
    /// <summary>Module path; "" if unknown.</summary>
    public string Module { get; }
    /// <summary>Address minus the module's load bias.</summary>
    public ulong ModuleOffset { get; }
    /// <summary>Function name, demangled (C++, Rust legacy); null if unknown.</summary>
    public string? Function { get; }
    /// <summary>Source file as DWARF gives it; null if unknown.</summary>
    public string? File { get; }
    /// <summary>Source line; 0 if unknown.</summary>
    public int Line { get; }
    /// <summary>True for a frame that was inlined into the next frame of the same pc.</summary>
    public bool IsInlined { get; }

    /// <summary><c>function (file:line) in module+0xoffset</c>, for logs.</summary>
    public override string ToString()
    {
        string fn = Function ?? "??";
        string loc = File is null ? "??" : (Line > 0 ? File + ":" + Line.ToString(System.Globalization.CultureInfo.InvariantCulture) : File);
        string inl = IsInlined ? " (inlined)" : "";
        return fn + inl + " at " + loc + " in " + (Module.Length == 0 ? "??" : Module) + "+0x" + ModuleOffset.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
    }
}

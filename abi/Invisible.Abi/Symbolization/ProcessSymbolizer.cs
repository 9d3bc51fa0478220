using System;
using System.Collections.Generic;
using System.Diagnostics;
using Invisible.Abi.Native;

namespace Invisible.Abi.Symbolization;

/// <summary>
/// Address → module, function (+ inlined frames), file:line for a live process, over libdwfl.
/// Modules come from /proc/PID/maps; DWARF is found in the file or as separate debug info
/// (build-id, .gnu_debuglink, /usr/lib/debug). An address outside every known module triggers a
/// re-report of the maps (throttled), so objects dlopen()ed later are found. Results are cached per pc.
/// Thread-safe (one lock); never throws from <see cref="Symbolize"/>.
/// </summary>
public sealed unsafe class ProcessSymbolizer : IDisposable
{
    private const int TagSubprogram = 0x2e;
    private const int TagInlinedSubroutine = 0x1d;
    private const uint AtCallFile = 0x58;
    private const uint AtCallLine = 0x59;
    private const uint AtLinkageName = 0x6e;
    private const uint AtMipsLinkageName = 0x2007;
    private static readonly long RereportInterval = Stopwatch.Frequency / 50; // at most every 20 ms

    private readonly object _gate = new();
    private readonly int _pid;
    private readonly Dictionary<CacheKey, SourceFrame[]> _cache = new();
    private readonly Dictionary<nint, string> _strings = new();
    private readonly Dictionary<nint, string> _names = new(); // demangled symbol names, by libdw string
    private readonly PcScopes _scopes = new();
    private readonly Dictionary<nint, DwflSymbolIndex> _symbolIndexes = new(); // by Dwfl_Module
    private readonly List<DwarfDie> _scopeList = new();
    private DwflCallbacks* _callbacks;
    private nint _dwfl;
    private long _lastReport;
    private ulong _adds, _subs;
    private bool _reported;
    private bool _disposed;

    /// <summary>Why the symbolizer could not start (libdw missing, /proc unreadable); null when fine.</summary>
    public string? InitError { get; private set; }

    /// <summary>The process id whose maps this symbolizer reads.</summary>
    public int ProcessId => _pid;

    private ProcessSymbolizer(int pid)
    {
        _pid = pid;
        try
        {
            _callbacks = (DwflCallbacks*)System.Runtime.InteropServices.NativeMemory.AllocZeroed((nuint)sizeof(DwflCallbacks));
            _callbacks->FindElf = LibDw.ProcFindElf();
            _callbacks->FindDebuginfo = LibDw.StandardFindDebuginfo();
            _dwfl = LibDw.dwfl_begin(_callbacks);
            if (_dwfl == 0) { InitError = "dwfl_begin: " + LibDw.DwflError(); return; }
            Report();
        }
        catch (Exception e)
        {
            InitError = "libdw unavailable: " + e.Message;
            _dwfl = 0;
        }
    }

    /// <summary>Symbolizer over this process (getpid()).</summary>
    public static ProcessSymbolizer ForCurrentProcess() => new(Environment.ProcessId);

    /// <summary>Symbolizer over another process's maps and files (no ptrace).</summary>
    public static ProcessSymbolizer ForProcess(int pid) => new(pid);

    /// <summary>Number of cached pcs (diagnostics).</summary>
    public int CachedCount { get { lock (_gate) return _cache.Count; } }

    private void Report()
    {
        _lastReport = Stopwatch.GetTimestamp();
        if (_pid == Environment.ProcessId)
        {
            // Own process: the dynamic linker's list is exact (maps can hold stray mappings of the same file,
            // e.g. a runtime probing a .so as a managed image, which confuse a maps-based report).
            LoadedObjects.Snapshot objs = LoadedObjects.Take();
            if (_reported && objs.Adds == _adds && objs.Subs == _subs) return;
            LibDw.dwfl_report_begin(_dwfl);
            int ok = 0;
            string? firstError = null;
            for (int i = 0; i < objs.Count; i++)
            {
                LoadedObjects.Entry e = objs[i];
                if (LoadedObjects.ReportElf(_dwfl, e.Path, e.Bias) != 0) ok++;
                else firstError ??= e.Path + ": " + LibDw.DwflError();
            }
            LibDw.dwfl_report_end(_dwfl, 0, 0);
            _adds = objs.Adds;
            _subs = objs.Subs;
            // A failed object is retried on the next miss.
            _reported = firstError is null;
            InitError = firstError;
        }
        else
        {
            LibDw.dwfl_report_begin(_dwfl);
            int rc = LibDw.dwfl_linux_proc_report(_dwfl, _pid);
            LibDw.dwfl_report_end(_dwfl, 0, 0);
            if (rc != 0)
                InitError = rc > 0 ? "dwfl_linux_proc_report(" + _pid + "): errno " + rc : "dwfl_linux_proc_report(" + _pid + "): " + LibDw.DwflError();
            else
                InitError = null;
        }
        // libdwfl may have dropped modules (dlclose): pointers into their data are dead.
        _strings.Clear();
        _names.Clear();
        _scopes.Clear();
        _symbolIndexes.Clear();
    }

    /// <summary>The ELF symbol name at a pc (libdw's dwfl_module_addrname, through a per-module sorted index:
    /// libdw scans every symbol on each call, which dominated reports of programs with large symbol tables).</summary>
    private byte* SymbolName(nint mod, ulong pc)
    {
        if (!_symbolIndexes.TryGetValue(mod, out DwflSymbolIndex? index))
            _symbolIndexes[mod] = index = DwflSymbolIndex.Build(mod);
        return index.Lookup(pc, out DwflSymbol s) ? s.Name : null;
    }

    /// <summary>Re-read the process maps now and forget cached results (e.g. after dlclose).</summary>
    public void Refresh()
    {
        lock (_gate)
        {
            if (_dwfl == 0 || _disposed) return;
            try { _cache.Clear(); Report(); } catch (Exception) { }
        }
    }

    /// <summary>
    /// Symbolize one pc. With <paramref name="isReturnAddress"/> the lookup uses address-1 (inside the call
    /// instruction) but frames report <paramref name="address"/>. Never throws; an unknown pc yields one frame
    /// with Module "" and null function/file.
    /// </summary>
    public IReadOnlyList<SourceFrame> Symbolize(ulong address, bool isReturnAddress)
    {
        var key = new CacheKey(address, isReturnAddress);
        lock (_gate)
        {
            try
            {
                if (_cache.TryGetValue(key, out SourceFrame[]? hit)) return hit;
                if (_dwfl == 0 || _disposed) return Unknown(address);
                ulong pc = isReturnAddress && address > 0 ? address - 1 : address;
                nint mod = LibDw.dwfl_addrmodule(_dwfl, pc);
                // Own process: the loader's add/sub counters make a re-check cheap, so always re-check on a miss.
                if (mod == 0 && (_pid == Environment.ProcessId || Stopwatch.GetTimestamp() - _lastReport >= RereportInterval))
                {
                    Report();
                    mod = LibDw.dwfl_addrmodule(_dwfl, pc);
                }
                if (mod == 0) return Unknown(address); // not cached: a later dlopen may map it
                SourceFrame[] frames = Resolve(mod, address, pc);
                _cache[key] = frames;
                return frames;
            }
            catch (Exception)
            {
                return Unknown(address);
            }
        }
    }

    private static SourceFrame[] Unknown(ulong address) => new[] { new SourceFrame(address, "", 0, null, null, 0, false) };

    private string? Intern(byte* p)
    {
        if (p == null) return null;
        if (_strings.TryGetValue((nint)p, out string? s)) return s;
        s = LibDw.Str(p)!;
        _strings[(nint)p] = s;
        return s;
    }

    private SourceFrame[] Resolve(nint mod, ulong address, ulong pc)
    {
        ulong start, end;
        byte* name = LibDw.dwfl_module_info(mod, null, &start, &end, null, null, null, null);
        string module = Intern(name) ?? "";

        ulong dwbias = 0;
        nint dwarf = LibDw.dwfl_module_getdwarf(mod, &dwbias);
        ulong bias = dwbias;
        if (dwarf == 0)
        {
            ulong elfBias = 0;
            if (LibDw.dwfl_module_getelf(mod, &elfBias) != 0) bias = elfBias;
            else bias = start;
        }
        ulong moduleOffset = address - bias;

        // Line table entry for the pc itself (innermost position).
        string? file = null;
        int line = 0;
        nint srcLine = LibDw.dwfl_module_getsrc(mod, pc);
        if (srcLine != 0)
        {
            int ln = 0;
            byte* f = LibDw.dwfl_lineinfo(srcLine, null, &ln, null, null, null);
            file = Intern(f);
            line = ln;
        }

        List<SourceFrame>? frames = null;
        if (dwarf != 0)
        {
            ulong cuBias;
            DwarfDie* cudie = LibDw.dwfl_module_addrdie(mod, pc, &cuBias);
            if (cudie != null && _scopes.Find(dwarf, cudie, pc - cuBias, _scopeList))
                frames = FramesFromScopes(_scopeList, address, module, moduleOffset, file, line);
        }

        if (frames is null || frames.Count == 0)
        {
            string? fn = Name(SymbolName(mod, pc));
            return new[] { new SourceFrame(address, module, moduleOffset, fn, file, line, false) };
        }
        // The outermost DWARF function may lack a name (rare); fall back to the ELF symbol.
        SourceFrame last = frames[frames.Count - 1];
        if (last.Function is null)
            frames[frames.Count - 1] = new SourceFrame(address, module, moduleOffset, Name(SymbolName(mod, pc)), last.File, last.Line, false);
        return frames.ToArray();
    }

    private List<SourceFrame> FramesFromScopes(List<DwarfDie> scopes, ulong address, string module, ulong moduleOffset, string? file, int line)
    {
        var frames = new List<SourceFrame>(2);
        string? curFile = file;
        int curLine = line;
        for (int i = 0; i < scopes.Count; i++)
        {
            DwarfDie scope = scopes[i];
            DwarfDie* die = &scope;
            int tag = LibDw.dwarf_tag(die);
            if (tag != TagSubprogram && tag != TagInlinedSubroutine) continue;
            string? fn = FunctionName(die);
            bool inlined = tag == TagInlinedSubroutine;
            frames.Add(new SourceFrame(address, module, moduleOffset, fn, curFile, curLine, inlined));
            if (!inlined) break;
            // The caller's position is the call site recorded on the inlined instance.
            curFile = CallFile(die);
            DwarfAttribute attr;
            ulong cl = 0;
            curLine = LibDw.dwarf_attr(die, AtCallLine, &attr) != null && LibDw.dwarf_formudata(&attr, &cl) == 0 ? (int)cl : 0;
        }
        return frames;
    }

    /// <summary>The name people read: the demangled linkage name (C++, Rust: <c>ns::f(int)</c>, lambdas, templates,
    /// through an inlined instance's abstract origin), else the DWARF name (C).</summary>
    private string? FunctionName(DwarfDie* die)
    {
        DwarfAttribute attr;
        if (LibDw.dwarf_attr_integrate(die, AtLinkageName, &attr) != null || LibDw.dwarf_attr_integrate(die, AtMipsLinkageName, &attr) != null)
        {
            // Only a mangled linkage name says more than DW_AT_name (glibc's are aliases such as __GI_qsort).
            byte* raw = LibDw.dwarf_formstring(&attr);
            if (raw != null && raw[0] == (byte)'_' && (raw[1] == (byte)'Z' || raw[1] == (byte)'R'))
                return Name(raw);
        }
        return Intern(LibDw.dwarf_diename(die));
    }

    /// <summary>A symbol name, demangled (<see cref="Demangler"/>), interned per libdw string.</summary>
    private string? Name(byte* p)
    {
        if (p == null) return null;
        if (_names.TryGetValue((nint)p, out string? s)) return s;
        s = Demangler.Demangle(LibDw.Str(p)!);
        _names[(nint)p] = s;
        return s;
    }

    private string? CallFile(DwarfDie* die)
    {
        DwarfAttribute attr;
        ulong idx;
        if (LibDw.dwarf_attr(die, AtCallFile, &attr) == null || LibDw.dwarf_formudata(&attr, &idx) != 0) return null;
        DwarfDie cu;
        if (LibDw.dwarf_diecu(die, &cu, null, null) == null) return null;
        nint files;
        nuint nfiles;
        if (LibDw.dwarf_getsrcfiles(&cu, &files, &nfiles) != 0 || idx >= nfiles) return null;
        return Intern(LibDw.dwarf_filesrc(files, (nuint)idx, null, null));
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            try
            {
                if (_dwfl != 0) LibDw.dwfl_end(_dwfl);
            }
            catch (Exception) { }
            _dwfl = 0;
            if (_callbacks != null) { System.Runtime.InteropServices.NativeMemory.Free(_callbacks); _callbacks = null; }
            _cache.Clear();
            _strings.Clear();
            _names.Clear();
            _scopes.Clear();
        }
    }

    private readonly struct CacheKey : IEquatable<CacheKey>
    {
        private readonly ulong _address;
        private readonly bool _ret;
        public CacheKey(ulong address, bool ret) { _address = address; _ret = ret; }
        public bool Equals(CacheKey other) => _address == other._address && _ret == other._ret;
        public override bool Equals(object? obj) => obj is CacheKey k && Equals(k);
        public override int GetHashCode() => (int)(_address ^ (_address >> 32)) ^ (_ret ? 0x5bd1e995 : 0);
    }
}

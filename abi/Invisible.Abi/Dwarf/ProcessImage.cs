using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Invisible.Abi.Native;

namespace Invisible.Abi.Dwarf;

/// <summary>
/// The objects loaded in this process (dl_iterate_phdr) mapped to their DWARF, each as a <see cref="DwarfModule"/>.
/// Objects dlopen()ed later are picked up when an address or name is not found (the loader's add/sub counters
/// make the check cheap). A module whose ELF or DWARF is broken carries <see cref="DwarfModule.Error"/> and the
/// others keep working. Nothing is read from DWARF until a module is asked something.
/// </summary>
public sealed unsafe class ProcessImage : IDisposable
{
    private readonly object _gate = new();
    private DwflCallbacks* _callbacks;
    private nint _dwfl;
    private readonly List<DwarfModule> _modules = new();
    private readonly Dictionary<string, DwarfModule> _byPath = new(StringComparer.Ordinal);
    private readonly List<string> _errors = new();
    private ulong _adds = ulong.MaxValue, _subs = ulong.MaxValue;
    private bool _disposed;

    private ProcessImage()
    {
        _callbacks = (DwflCallbacks*)NativeMemory.AllocZeroed((nuint)sizeof(DwflCallbacks));
        _callbacks->FindElf = LibDw.ProcFindElf();
        _callbacks->FindDebuginfo = LibDw.StandardFindDebuginfo();
        _callbacks->DebuginfoPath = DebugFileCache.SearchPath();
        _dwfl = LibDw.dwfl_begin(_callbacks);
        if (_dwfl == 0) throw new DwarfException("dwfl_begin: " + LibDw.DwflError());
        Refresh();
    }

    /// <summary>The current process. Throws <see cref="DwarfException"/> only if libdw itself is unusable.</summary>
    public static ProcessImage ForCurrentProcess()
    {
        try { return new ProcessImage(); }
        catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
        {
            throw new DwarfException("libdw unavailable: " + e.Message, e);
        }
    }

    private static ProcessImage? s_shared;
    private static readonly object SharedGate = new();

    /// <summary>The image of this process that everything in it reading its own DWARF shares (the census, DwarfPython),
    /// made on first use and never disposed: one copy of each module's DWARF per process.</summary>
    public static ProcessImage Shared
    {
        get
        {
            if (s_shared is { } image) return image;
            lock (SharedGate) return s_shared ??= ForCurrentProcess();
        }
    }

    /// <summary>Modules known so far, in load order.</summary>
    public IReadOnlyList<DwarfModule> Modules { get { lock (_gate) return _modules.ToArray(); } }

    /// <summary>Objects that could not be reported at all (e.g. not ELF), with the reason.</summary>
    public IReadOnlyList<string> Errors { get { lock (_gate) return _errors.ToArray(); } }

    /// <summary>Pick up objects loaded since the last look. Returns the number of new modules.</summary>
    public int Refresh()
    {
        lock (_gate)
        {
            if (_disposed) return 0;
            LoadedObjects.Snapshot objs = LoadedObjects.Take();
            if (objs.Adds == _adds && objs.Subs == _subs) return 0;
            _adds = objs.Adds;
            _subs = objs.Subs;
            var fresh = new List<(string, nint)>();
            LibDw.dwfl_report_begin_add(_dwfl);
            for (int i = 0; i < objs.Count; i++)
            {
                LoadedObjects.Entry e = objs[i];
                string key = e.Path + "@" + e.Bias.ToString("x");
                if (_byPath.ContainsKey(key)) continue;
                nint mod = LoadedObjects.ReportElf(_dwfl, e.Path, e.Bias);
                if (mod == 0) { _errors.Add(e.Path + ": " + LibDw.DwflError()); _byPath[key] = null!; continue; }
                fresh.Add((key, mod));
            }
            LibDw.dwfl_report_end(_dwfl, 0, 0);
            foreach ((string key, nint mod) in fresh)
            {
                string path = key.Substring(0, key.LastIndexOf('@'));
                var m = DwarfModule.FromDwfl(path, _dwfl, mod);
                _modules.Add(m);
                _byPath[key] = m;
            }
            return fresh.Count;
        }
    }

    /// <summary>The module containing a runtime address (refreshing once if none does).</summary>
    public DwarfModule? ModuleAt(ulong address)
    {
        DwarfModule? m = Find(address);
        if (m is null && Refresh() > 0) m = Find(address);
        return m;
    }

    private DwarfModule? Find(ulong address)
    {
        lock (_gate)
        {
            for (int i = 0; i < _modules.Count; i++)
            {
                DwarfModule m = _modules[i];
                if (address >= m.Start && address < m.End) return m;
            }
            return null;
        }
    }

    /// <summary>A module by path or by file name (<c>libc.so.6</c>).</summary>
    public DwarfModule? FindModule(string nameOrPath)
    {
        for (int pass = 0; pass < 2; pass++)
        {
            lock (_gate)
            {
                for (int i = 0; i < _modules.Count; i++)
                {
                    DwarfModule m = _modules[i];
                    if (m.Path == nameOrPath || m.Path.EndsWith("/" + nameOrPath, StringComparison.Ordinal)) return m;
                }
            }
            if (pass == 0 && Refresh() == 0) break;
        }
        return null;
    }

    /// <summary>The function containing a runtime pc, with its module.</summary>
    public Function? FunctionAt(ulong address)
    {
        DwarfModule? m = ModuleAt(address);
        return m?.FunctionAt(address - m.Bias);
    }

    /// <summary>First module (load order) that defines the type.</summary>
    public CType? FindType(string name)
    {
        IReadOnlyList<DwarfModule> ms = Modules;
        for (int i = 0; i < ms.Count; i++)
        {
            if (!ms[i].HasDwarf) continue;
            CType? t = ms[i].FindType(name);
            if (t != null) return t;
        }
        return null;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (DwarfModule m in _modules) m.Dispose();
            _modules.Clear();
            if (_dwfl != 0) LibDw.dwfl_end(_dwfl);
            _dwfl = 0;
            if (_callbacks != null) { NativeMemory.Free(_callbacks); _callbacks = null; }
        }
    }
}

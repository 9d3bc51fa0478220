using System;
using System.Collections.Generic;

namespace Invisible.Abi.Native;

/// <summary>One ELF symbol as <see cref="DwflSymbolIndex"/> answers it: the name is libdw's pointer into the
/// module's string table (valid while the module lives), the value is in the Dwfl's address space.</summary>
internal readonly unsafe struct DwflSymbol
{
    public DwflSymbol(byte* name, ulong value, ulong size, byte info, uint section, int file)
    {
        Name = name; Value = value; Size = size; Info = info; Section = section; File = file;
    }
    public readonly byte* Name;
    public readonly ulong Value;
    public readonly ulong Size;
    /// <summary>st_info: type in the low nibble, binding in the high one.</summary>
    public readonly byte Info;
    /// <summary>The symbol's section index (SHN_ABS and the other reserved ones included).</summary>
    public readonly uint Section;
    /// <summary>Which ELF file of the module holds the symbol (main file or separate debug file).</summary>
    public readonly int File;
    public int Type => Info & 0xf;
    public int Binding => Info >> 4;
}

/// <summary>
/// Address → ELF symbol for one Dwfl_Module, giving the answer <c>dwfl_module_addrinfo</c> gives, in O(log n).
/// libdw answers each lookup with a linear scan of the whole symbol table (gcc's cc1 exports ~60,000
/// symbols for plugins: a depth-16 exit report of `gcc -O2 -c` spent two thirds of its time there). The
/// table is read once and sorted by address; a lookup collects only the symbols that can contain the
/// address (a running maximum of the symbols' ends bounds the walk back), then applies libdw's own rules
/// (elfutils' __libdwfl_addrsym) in libdw's scan order: global and weak symbols first, local ones only
/// when those gave nothing; a closer symbol wins, a farther one only with a stronger binding, at the same
/// address the smaller one; a sizeless symbol (an assembly label) only when no sized symbol contains the
/// address, no symbol below the address ends above it, and it lies in the address's section.
/// SymbolIndexTests checks it against libdw on libc, libstdc++, libdw and cc1.
/// Not thread-safe: callers hold their module's lock.
/// </summary>
internal sealed unsafe class DwflSymbolIndex
{
    private const int SttSection = 3, SttFile = 4, SttTls = 6;
    private const int StbLocal = 0;
    private const uint ShnLoReserve = 0xff00;

    private readonly DwflSymbol[] _symbols;   // sorted by value, then by libdw's scan order
    private readonly int[] _scanOrder;        // libdw's scan position of each entry (globals before locals)
    private readonly ulong[] _maxEndGlobal;   // running max of value+size over entries [0..i], non-local only
    private readonly ulong[] _maxEndAll;      // the same over every entry
    private readonly ElfSections[] _files;    // per symbol file: its section ranges, for the same-section rule

    private sealed class ElfSections
    {
        public ElfSections(nint elf, ulong bias) { Elf = elf; Bias = bias; }
        public readonly nint Elf;
        public readonly ulong Bias;
        private (ulong Start, ulong Size, uint Index)[]? _sections;

        /// <summary>The index of the first section (in header order) holding the address; SHN_ABS if none.</summary>
        public uint SectionOf(ulong address)
        {
            _sections ??= Read();
            ulong fileAddress = address - Bias;
            foreach (var (start, size, index) in _sections)
                if (fileAddress >= start && fileAddress < start + size) return index;
            return 0xfff1; // SHN_ABS
        }

        private (ulong, ulong, uint)[] Read()
        {
            var list = new List<(ulong, ulong, uint)>();
            byte* shdr = stackalloc byte[64]; // GElf_Shdr: sh_addr at 16, sh_size at 32
            for (nint scn = LibDw.elf_nextscn(Elf, 0); scn != 0; scn = LibDw.elf_nextscn(Elf, scn))
                if (LibDw.gelf_getshdr(scn, shdr) != null)
                    list.Add((*(ulong*)(shdr + 16), *(ulong*)(shdr + 32), (uint)LibDw.elf_ndxscn(scn)));
            return list.ToArray();
        }
    }

    private DwflSymbolIndex(DwflSymbol[] symbols, int[] scanOrder, ElfSections[] files)
    {
        _symbols = symbols;
        _scanOrder = scanOrder;
        _files = files;
        _maxEndGlobal = new ulong[symbols.Length];
        _maxEndAll = new ulong[symbols.Length];
        ulong g = 0, a = 0;
        for (int i = 0; i < symbols.Length; i++)
        {
            ulong end = symbols[i].Value + symbols[i].Size;
            if (end > a) a = end;
            if (symbols[i].Binding != StbLocal && end > g) g = end;
            _maxEndAll[i] = a;
            _maxEndGlobal[i] = g;
        }
    }

    /// <summary>Reads the module's symbol table (symtab, else dynsym, plus the aux table) once.</summary>
    public static DwflSymbolIndex Build(nint mod)
    {
        int n = LibDw.dwfl_module_getsymtab(mod);
        var list = new List<(DwflSymbol Symbol, int Order)>(Math.Max(n, 0));
        var files = new List<ElfSections>(2);
        byte* sym = stackalloc byte[24]; // GElf_Sym: st_name u32, st_info u8, st_other u8, st_shndx u16, st_value u64, st_size u64
        for (int i = 1; i < n; i++)
        {
            ulong addr, bias;
            uint shndx;
            nint elf;
            byte* name = LibDw.dwfl_module_getsym_info(mod, i, sym, &addr, &shndx, &elf, &bias);
            if (name == null || name[0] == 0 || *(ushort*)(sym + 6) == 0) continue; // st_shndx == SHN_UNDEF
            byte info = sym[4];
            int type = info & 0xf;
            if (type == SttSection || type == SttFile || type == SttTls) continue;
            int file = FileIndex(files, elf, bias);
            if (file < 0) { file = files.Count; files.Add(new ElfSections(elf, bias)); }
            var s = new DwflSymbol(name, addr, *(ulong*)(sym + 16), info, shndx, file);
            // libdw scans the non-local symbols first, then the local ones; each in table order.
            list.Add((s, s.Binding == StbLocal ? (1 << 30) + i : i));
        }
        list.Sort(static (x, y) => x.Symbol.Value != y.Symbol.Value ? x.Symbol.Value.CompareTo(y.Symbol.Value) : x.Order.CompareTo(y.Order));
        var symbols = new DwflSymbol[list.Count];
        var order = new int[list.Count];
        for (int i = 0; i < symbols.Length; i++) { symbols[i] = list[i].Symbol; order[i] = list[i].Order; }
        return new DwflSymbolIndex(symbols, order, files.ToArray());
    }

    private static int FileIndex(List<ElfSections> files, nint elf, ulong bias)
    {
        for (int i = 0; i < files.Count; i++)
            if (files[i].Elf == elf && files[i].Bias == bias) return i;
        return -1;
    }

    public int Count => _symbols.Length;

    /// <summary>The symbol libdw's <c>dwfl_module_addrinfo</c> names for an address (Dwfl address space).</summary>
    public bool Lookup(ulong address, out DwflSymbol symbol)
    {
        symbol = default;
        int last = LastAtOrBelow(address);
        if (last < 0) return false;
        int sized = ClosestSized(address, last, localPass: false);
        if (sized >= 0) { symbol = _symbols[sized]; return true; }
        // No sized global contains the address, so every global below it ends at or below it: the running
        // bound on labels (min_label) is the highest such end, and a global label exactly at the address
        // ends the search before the locals.
        ulong minLabel = _maxEndGlobal[last];
        int label = minLabel == address ? LastLabelAt(address, address, last, includeLocals: false) : -1;
        if (label < 0)
        {
            sized = ClosestSized(address, last, localPass: true);
            if (sized >= 0) { symbol = _symbols[sized]; return true; }
            minLabel = _maxEndAll[last];
            label = LastLabelAt(minLabel, address, last, includeLocals: true);
        }
        if (label < 0) return false;
        symbol = _symbols[label];
        return true;
    }

    private int LastAtOrBelow(ulong address)
    {
        int lo = 0, hi = _symbols.Length - 1, r = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_symbols[mid].Value <= address) { r = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return r;
    }

    /// <summary>libdw's choice among one pass's sized symbols containing the address, in its scan order;
    /// -1 if none contains it.</summary>
    private int ClosestSized(ulong address, int last, bool localPass)
    {
        Span<int> found = stackalloc int[16];
        var more = default(List<int>);
        int count = 0;
        ulong[] maxEnd = localPass ? _maxEndAll : _maxEndGlobal;
        for (int i = last; i >= 0 && maxEnd[i] > address; i--)
        {
            ref readonly DwflSymbol s = ref _symbols[i];
            if ((s.Binding == StbLocal) != localPass || s.Size == 0 || address - s.Value >= s.Size) continue;
            if (count < found.Length) found[count] = i;
            else (more ??= new List<int>()).Add(i);
            count++;
        }
        if (count == 0) return -1;
        int[] candidates = new int[count];
        for (int k = 0; k < Math.Min(count, found.Length); k++) candidates[k] = found[k];
        if (more is not null) more.CopyTo(candidates, found.Length);
        if (count > 1) Array.Sort(candidates, (x, y) => _scanOrder[x].CompareTo(_scanOrder[y]));
        int closest = -1;
        foreach (int i in candidates)
        {
            if (closest < 0) { closest = i; continue; }
            ref readonly DwflSymbol c = ref _symbols[closest], s = ref _symbols[i];
            if (c.Value < s.Value || BindingValue(c) < BindingValue(s)) closest = i;
            // At the same address: the smaller symbol, unless its binding is weaker.
            else if (c.Value == s.Value && c.Size > s.Size && BindingValue(c) <= BindingValue(s)) closest = i;
        }
        return closest;
    }

    /// <summary>The sizeless symbol libdw falls back to: the last one in scan order at exactly this value
    /// that lies in the address's section (one in a reserved section such as SHN_ABS only when it is at
    /// the address itself); -1 if none.</summary>
    private int LastLabelAt(ulong value, ulong address, int last, bool includeLocals)
    {
        int best = -1;
        for (int i = last; i >= 0 && _symbols[i].Value >= value; i--)
        {
            ref readonly DwflSymbol s = ref _symbols[i];
            if (s.Value != value || s.Size != 0) continue;
            if (!includeLocals && s.Binding == StbLocal) continue;
            if (!SameSection(s, address)) continue;
            if (best < 0 || _scanOrder[i] > _scanOrder[best]) best = i;
        }
        return best;
    }

    private bool SameSection(in DwflSymbol s, ulong address)
    {
        if (s.Section >= ShnLoReserve) return s.Value == address; // SHN_ABS, SHN_COMMON: only an exact match
        return _files[s.File].SectionOf(address) == s.Section;
    }

    /// <summary>libdw's ranking of bindings: global over weak over local.</summary>
    private static int BindingValue(in DwflSymbol s) => s.Binding switch { 1 => 3, 2 => 2, 0 => 1, _ => 0 };
}

using System;
using System.Collections.Generic;

namespace Invisible.Python.Runtime;

/// <summary>
/// The "Did you mean" hint CPython 3.11's exception printer adds to an AttributeError or NameError (Python/suggestions.c):
/// the closest name by a Levenshtein distance where a case change costs 1 and any other edit 2, within a third of the
/// characters involved; among dir(obj) for AttributeError, the frame's local variable names, then its globals, then
/// the builtins for NameError.
/// </summary>
internal static class Suggestions
{
    private const int MaxCandidateItems = 750, MaxStringSize = 40, MoveCost = 2, CaseCost = 1;

    /// <summary>The suggested name for <paramref name="exc"/>, or null.</summary>
    public static string? For(PyBaseException exc)
    {
        try
        {
            if (exc.Type.IsSubtypeOf(PyBaseException.AttributeErrorType)) return ForAttribute(exc);
            if (exc.Type.IsSubtypeOf(PyBaseException.NameErrorType)) return ForName(exc);
        }
        catch (PyException) { } // as CPython: a failing dir() or lookup just means no hint
        return null;
    }

    private static string? ForAttribute(PyBaseException exc)
    {
        if (exc.ErrName is not PyStr name || exc.ErrObj is not PyObject obj) return null;
        var dir = Ops.Call(Vm.ThreadState.Current.Interp.Builtins.GetOrNull(PyStr.Intern("dir"))!, new[] { obj });
        var items = new List<string>();
        var it = Ops.GetIter(dir);
        PyObject? item;
        while ((item = Ops.Next(it)) != null) if (item is PyStr s) items.Add(s.Value); else return null;
        return Calculate(items, name.Value);
    }

    private static string? ForName(PyBaseException exc)
    {
        if (exc.ErrName is not PyStr name || exc.Traceback.Count == 0) return null;
        // the innermost frame: entries are added as the exception unwinds, innermost first
        if (exc.Traceback[0].Frame is not Vm.Frame frame) return null;
        var locals = new List<string>(frame.Code.VarNames);
        if (Calculate(locals, name.Value) is string s1) return s1;
        if (Calculate(Keys(frame.Globals), name.Value) is string s2) return s2;
        return Calculate(Keys(frame.Builtins), name.Value);
    }

    private static List<string> Keys(PyDict d)
    {
        var l = new List<string>();
        foreach (var k in d.KeyList()) if (k is PyStr s) l.Add(s.Value);
        return l;
    }

    private static string? Calculate(List<string> dir, string name)
    {
        if (dir.Count >= MaxCandidateItems) return null;
        int best = int.MaxValue;
        string? suggestion = null;
        foreach (var item in dir)
        {
            if (item == name) continue;
            // no more than 1/3 of the involved characters should need changing; don't take matches already beaten
            int maxDistance = Math.Min((name.Length + item.Length + 3) * MoveCost / 6, best - 1);
            int d = Distance(name, item, maxDistance);
            if (d > maxDistance) continue;
            if (suggestion == null || d < best) { suggestion = item; best = d; }
        }
        return suggestion;
    }

    private static int SubstitutionCost(char a, char b)
    {
        if ((a & 31) != (b & 31)) return MoveCost;
        if (a == b) return 0;
        if (a is >= 'A' and <= 'Z') a = (char)(a + ('a' - 'A'));
        if (b is >= 'A' and <= 'Z') b = (char)(b + ('a' - 'A'));
        return a == b ? CaseCost : MoveCost;
    }

    private static int Distance(string sa, string sb, int maxCost)
    {
        ReadOnlySpan<char> a = sa, b = sb;
        while (a.Length > 0 && b.Length > 0 && a[0] == b[0]) { a = a[1..]; b = b[1..]; }
        while (a.Length > 0 && b.Length > 0 && a[^1] == b[^1]) { a = a[..^1]; b = b[..^1]; }
        if (a.Length == 0 || b.Length == 0) return (a.Length + b.Length) * MoveCost;
        if (a.Length > MaxStringSize || b.Length > MaxStringSize) return maxCost + 1;
        if (b.Length < a.Length) { var t = a; a = b; b = t; }
        if ((b.Length - a.Length) * MoveCost > maxCost) return maxCost + 1;
        Span<int> buffer = stackalloc int[MaxStringSize];
        for (int i = 0, tmp = MoveCost; i < a.Length; i++, tmp += MoveCost) buffer[i] = tmp;
        int result = 0;
        for (int bi = 0; bi < b.Length; bi++)
        {
            char code = b[bi];
            int distance = result = bi * MoveCost;
            int minimum = int.MaxValue;
            for (int index = 0; index < a.Length; index++)
            {
                int substitute = distance + SubstitutionCost(code, a[index]);
                distance = buffer[index];
                int insertDelete = Math.Min(result, distance) + MoveCost;
                result = Math.Min(insertDelete, substitute);
                buffer[index] = result;
                if (result < minimum) minimum = result;
            }
            if (minimum > maxCost) return maxCost + 1;
        }
        return result;
    }
}

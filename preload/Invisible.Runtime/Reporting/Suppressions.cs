using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using Invisible.Abi.Query;
using Invisible.Abi.Symbolization;

namespace Invisible.Runtime.Reporting;

/// <summary>One leak suppression as libinvisible.so read it (preload/libinvisible/src/suppressions.c), from the wire
/// form of query.h: LeakSanitizer's <c>leak:PATTERN</c> or a valgrind <c>Memcheck:Leak</c> block.</summary>
public sealed class Suppression
{
    public Suppression(bool isValgrind, string name, uint kinds, string[] frames)
    {
        IsValgrind = isValgrind;
        Name = name;
        Kinds = kinds;
        Frames = frames;
    }

    /// <summary>A valgrind block (else LSan's leak: line).</summary>
    public bool IsValgrind { get; }
    /// <summary>LSan: the pattern; valgrind: the block's name. What "Suppressions used" prints.</summary>
    public string Name { get; }
    /// <summary>match-leak-kinds: bit (1 &lt;&lt; kind).</summary>
    public uint Kinds { get; }
    /// <summary>valgrind's frame lines: "fun:GLOB", "obj:GLOB", "src:GLOB" or "...".</summary>
    public string[] Frames { get; }
}

/// <summary>Matching suppressions against symbolized traces, with the tools' own rules (suppressions.c's head says
/// them; the plain report in C matches the same way on dladdr's names): LSan's pattern against every frame's
/// object, function and source file; valgrind's frames from the allocation outward, <c>...</c> any number.</summary>
public static class Suppressions
{
    /// <summary>The names valgrind shows for the allocation function, its traces' first frame (ours start at the
    /// caller): a block written for valgrind matches with it, one of ours without it.</summary>
    private static readonly string[] AllocationFunctions =
    {
        "malloc", "calloc", "realloc", "reallocarray", "memalign", "aligned_alloc", "posix_memalign", "valloc",
        "pvalloc", "strdup", "strndup", "_Znwm", "_Znam", "_ZnwmRKSt9nothrow_t", "_ZnamRKSt9nothrow_t",
        "_ZnwmSt11align_val_t", "_ZnamSt11align_val_t", "operator new(unsigned long)", "operator new[](unsigned long)",
    };

    public static unsafe List<Suppression> Read(byte* wire)
    {
        var list = new List<Suppression>();
        string text = Marshal.PtrToStringUTF8((nint)wire) ?? "";
        foreach (string line in text.Split('\n'))
        {
            if (line.Length == 0) continue;
            string[] fields = line.Split('\t');
            if (fields[0] == "leak" && fields.Length >= 2)
                list.Add(new Suppression(false, fields[1], 0xf, Array.Empty<string>()));
            else if (fields[0] == "valgrind" && fields.Length >= 4)
                list.Add(new Suppression(true, fields[1], uint.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture),
                                         fields[3..]));
            else
                list.Add(new Suppression(false, line, 0, Array.Empty<string>())); // unknown: matches nothing, keeps indices
        }
        return list;
    }

    /// <summary>Index of the first suppression that matches a record of this kind and trace, or -1.</summary>
    public static int Match(List<Suppression> suppressions, LeakKind kind, SourceFrame[] frames)
    {
        for (int i = 0; i < suppressions.Count; i++)
        {
            Suppression s = suppressions[i];
            if ((s.Kinds & (1u << (int)kind)) == 0) continue;
            if (s.IsValgrind ? ValgrindMatches(s.Frames, frames) : LsanMatches(s.Name, frames))
                return i;
        }
        return -1;
    }

    private static bool LsanMatches(string pattern, SourceFrame[] frames)
    {
        foreach (SourceFrame f in frames)
            if (TemplateMatch(pattern, f.Module) || TemplateMatch(pattern, f.Function) || TemplateMatch(pattern, f.File))
                return true;
        return false;
    }

    private static bool ValgrindMatches(string[] lines, SourceFrame[] frames) =>
        FramesMatch(lines, 0, frames, -1) || FramesMatch(lines, 0, frames, 0);

    /// <summary>lines[i..] against frames[j..]; frame -1 is the allocation function valgrind shows first.</summary>
    private static bool FramesMatch(string[] lines, int i, SourceFrame[] frames, int j)
    {
        if (i == lines.Length) return true;
        if (lines[i] == "...")
            return FramesMatch(lines, i + 1, frames, j) || (j < frames.Length && FramesMatch(lines, i, frames, j + 1));
        if (j >= frames.Length) return false;
        bool here = j < 0 ? MatchesAllocationFunction(lines[i]) : LineMatches(lines[i], frames[j]);
        return here && FramesMatch(lines, i + 1, frames, j + 1);
    }

    private static bool MatchesAllocationFunction(string line)
    {
        if (!line.StartsWith("fun:", StringComparison.Ordinal)) return false;
        string glob = line[4..];
        foreach (string name in AllocationFunctions)
            if (GlobMatch(glob, name)) return true;
        return false;
    }

    private static bool LineMatches(string line, SourceFrame frame)
    {
        string glob = line[4..];
        switch (line[..4])
        {
            case "fun:":
                if (frame.Function is null) return GlobMatch(glob, "???");
                if (GlobMatch(glob, frame.Function)) return true;
                // valgrind's names are the mangled ones; ours are demangled: a mangled name without wildcards is
                // compared demangled.
                return glob.StartsWith("_Z", StringComparison.Ordinal) && glob.IndexOfAny(new[] { '*', '?' }) < 0 &&
                       Demangler.Demangle(glob) == frame.Function;
            case "obj:":
                return GlobMatch(glob, frame.Module.Length > 0 ? frame.Module : "???");
            case "src:":
                if (frame.File is null) return false;
                string file = Path.GetFileName(frame.File);
                return GlobMatch(glob, file) || GlobMatch(glob, frame.File) ||
                       (frame.Line > 0 && GlobMatch(glob, file + ":" + frame.Line.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            default:
                return false;
        }
    }

    /// <summary>LeakSanitizer's TemplateMatch: the pieces between <c>*</c>s found in order (a substring match),
    /// <c>^</c> anchors the first at the start, <c>$</c> ends the match at the end of the text.</summary>
    public static bool TemplateMatch(string pattern, string? text)
    {
        if (string.IsNullOrEmpty(text)) return false;
        int p = 0, t = 0;
        bool anchored = false, afterStar = false;
        if (pattern.Length > 0 && pattern[0] == '^')
        {
            anchored = true;
            p = 1;
        }
        while (p < pattern.Length)
        {
            if (pattern[p] == '*')
            {
                p++;
                anchored = false;
                afterStar = true;
                continue;
            }
            if (pattern[p] == '$') return t == text.Length || afterStar;
            if (t == text.Length) return false;
            int end = pattern.IndexOfAny(new[] { '*', '$' }, p);
            if (end < 0) end = pattern.Length;
            string piece = pattern[p..end];
            int found = text.IndexOf(piece, t, StringComparison.Ordinal);
            if (found < 0 || (anchored && found != t)) return false;
            t = found + piece.Length;
            p = end;
            anchored = false;
            afterStar = false;
        }
        return true;
    }

    /// <summary>valgrind's glob over the whole text: <c>*</c> any run of characters, <c>?</c> one.</summary>
    public static bool GlobMatch(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || (pattern[p] != '*' && pattern[p] == text[t])))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}

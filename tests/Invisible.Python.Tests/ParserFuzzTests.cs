using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using Invisible.Python.Runtime;
using Invisible.Python.Vm;
using Xunit;

namespace Invisible.Python.Tests;

/// <summary>
/// Fuzz target for the lexer, parser and compiler: random token soups, byte-level mutations of the
/// corpus programs and deep-nesting splices are compiled in-process from fixed seeds, within a few seconds. Whatever
/// the input, compiling may only succeed or raise a Python SyntaxError (IndentationError, TabError), RecursionError
/// or MemoryError: any other exception — a .NET IndexOutOfRange, NullReference, InvalidCast, a stack overflow that
/// would kill the process — is a defect, reported with the seed and the input.
/// </summary>
public class ParserFuzzTests
{
    private const int Iterations = 4000;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(6);

    private static readonly string[] Vocabulary =
    {
        "def", "class", "lambda", "if", "elif", "else", "for", "while", "in", "not", "and", "or", "is", "return", "yield",
        "from", "import", "as", "with", "try", "except", "finally", "raise", "pass", "break", "continue", "global",
        "nonlocal", "del", "assert", "async", "await", "match", "case", "None", "True", "False", "x", "y", "f", "_",
        "0", "1", "2.5", "0x1f", "1j", "1e9", "'s'", "\"t\"", "b'b'", "f'{x}'", "f'{x!r:>{y}}'", "'''doc'''", "r'\\d'",
        "(", ")", "[", "]", "{", "}", ",", ":", ";", ".", "...", "=", "==", "!=", "<", ">", "<=", ">=", "+", "-", "*", "**",
        "/", "//", "%", "@", "&", "|", "^", "~", "<<", ">>", "->", ":=", "+=", "**=", "\n", "\n    ", "\n        ", "\\\n",
        "#c", " ", "\t",
    };

    private static readonly string[] DeepRuns = { "(", "[", "{", "-", "not ", "lambda: ", "~", "a.", "x[", "f(", "1 if x else ", "2**", "    " };

    private static bool Allowed(PyException e) =>
        e.Value.Type.IsSubtypeOf(PyBaseException.SyntaxErrorType) ||
        e.Value.Type.IsSubtypeOf(PyBaseException.RecursionErrorType) ||
        e.Value.Type.IsSubtypeOf(PyBaseException.MemoryErrorType);

    [Fact]
    public void CompilerOnlyEverRaisesSyntaxRecursionOrMemoryErrors()
    {
        var corpus = new List<string>();
        foreach (var f in Directory.EnumerateFiles(Paths.Corpus, "*.py", SearchOption.AllDirectories)) corpus.Add(f);
        corpus.Sort(StringComparer.Ordinal);
        var sources = corpus.ConvertAll(File.ReadAllText);
        var (ran, failures) = PythonThread.Run(() =>
        {
            _ = new PythonEngine(new StringWriter(), new StringWriter(), new StringReader(""), new[] { "fuzz" });
            var found = new List<string>();
            var clock = Stopwatch.StartNew();
            int n = 0;
            for (int seed = 1; seed <= Iterations && clock.Elapsed < Budget; seed++, n++)
            {
                var rng = new Random(seed);
                string src = (seed % 4) switch
                {
                    0 => TokenSoup(rng),
                    1 => Splice(rng, sources[rng.Next(sources.Count)]),
                    _ => Mutate(rng, sources[rng.Next(sources.Count)]),
                };
                bool eval = seed % 7 == 0;
                try { PythonEngine.Compile(src, "<fuzz>", eval); }
                catch (PyException e) when (Allowed(e)) { }
                catch (Exception e)
                {
                    if (found.Count < 5) found.Add("seed " + seed + (eval ? " (eval)" : "") + ": " + e.GetType().FullName + ": " + e.Message + "\n" + Excerpt(src));
                }
            }
            return (n, found);
        });
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        Assert.True(ran >= 200, "only " + ran + " inputs in " + Budget.TotalSeconds + " s");
    }

    /// <summary>Up to 200 tokens from the vocabulary, blanks between some.</summary>
    private static string TokenSoup(Random rng)
    {
        var sb = new StringBuilder();
        int n = 1 + rng.Next(200);
        for (int i = 0; i < n; i++)
        {
            sb.Append(Vocabulary[rng.Next(Vocabulary.Length)]);
            if (rng.Next(3) != 0) sb.Append(' ');
        }
        return sb.ToString();
    }

    /// <summary>1–8 byte-level edits: delete, duplicate or move a range, insert a character (NUL, tab, CR, a quote, a
    /// bracket, a non-ASCII letter, an unpaired surrogate), swap two characters.</summary>
    private static string Mutate(Random rng, string src)
    {
        const string Inserts = "\0\t\r\n'\"([{}])\\#:;,.=@!$?`\u00e9\u4e2d\ud800\u200b\ufeff";
        var sb = new StringBuilder(src);
        int edits = 1 + rng.Next(8);
        for (int k = 0; k < edits && sb.Length > 0; k++)
        {
            int at = rng.Next(sb.Length);
            int len = Math.Min(sb.Length - at, 1 + rng.Next(40));
            switch (rng.Next(5))
            {
                case 0: sb.Remove(at, len); break;
                case 1: sb.Insert(at, sb.ToString(at, len)); break;
                case 2: sb.Insert(at, Inserts[rng.Next(Inserts.Length)]); break;
                case 3:
                {
                    int other = rng.Next(sb.Length);
                    (sb[at], sb[other]) = (sb[other], sb[at]);
                    break;
                }
                default:
                {
                    string piece = sb.ToString(at, len);
                    sb.Remove(at, len);
                    sb.Insert(rng.Next(sb.Length + 1), piece);
                    break;
                }
            }
        }
        return sb.ToString();
    }

    /// <summary>A run of one nesting construct (up to 20,000 deep, closed or not) spliced into a program.</summary>
    private static string Splice(Random rng, string src)
    {
        string run = DeepRuns[rng.Next(DeepRuns.Length)];
        int depth = rng.Next(4) switch { 0 => 1 + rng.Next(250), 1 => 150 + rng.Next(100), 2 => 2900 + rng.Next(200), _ => rng.Next(20000) };
        var sb = new StringBuilder(src.Length + depth * run.Length * 2);
        int at = src.Length == 0 ? 0 : rng.Next(src.Length);
        sb.Append(src, 0, at);
        for (int i = 0; i < depth; i++) sb.Append(run);
        sb.Append('x');
        if (rng.Next(2) == 0)
        {
            string close = run switch { "(" or "f(" => ")", "[" or "x[" => "]", "{" => "}", _ => "" };
            for (int i = 0; i < depth && close.Length > 0; i++) sb.Append(close);
        }
        sb.Append(src, at, src.Length - at);
        return sb.ToString();
    }

    private static string Excerpt(string src) => src.Length <= 300 ? src : src[..300] + "... (" + src.Length + " chars)";
}

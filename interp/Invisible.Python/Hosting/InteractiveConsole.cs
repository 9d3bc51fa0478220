using System.Text;

namespace Invisible.Python.Hosting;

/// <summary>
/// Line-at-a-time interactive input over a <see cref="PythonEngine"/>, the way CPython's prompt works:
/// <see cref="Push"/> one line; when the buffered input is a complete statement it runs (expression values
/// printed, exceptions printed as tracebacks on the engine's stderr), otherwise more input is needed and
/// <see cref="Prompt"/> is the continuation prompt. Used by hosts that drive the prompt themselves
/// (<c>invisible attach PID</c> feeds it lines from a socket). SystemExit raised by the code propagates as
/// <see cref="Runtime.PyException"/>: ending the session is the host's decision.
/// </summary>
public sealed class InteractiveConsole
{
    public const string PrimaryPrompt = ">>> ";
    public const string ContinuationPrompt = "... ";

    private readonly PythonEngine _engine;
    private readonly StringBuilder _buffer = new();

    public InteractiveConsole(PythonEngine engine) => _engine = engine;

    /// <summary>True while a multi-line statement is being entered.</summary>
    public bool NeedsMore => _buffer.Length > 0;

    public string Prompt => NeedsMore ? ContinuationPrompt : PrimaryPrompt;

    /// <summary>Forget a partly entered statement (Ctrl-C at a continuation prompt).</summary>
    public void Reset() => _buffer.Clear();

    /// <summary>Add one line (without its newline). Returns true when more input is needed.</summary>
    public bool Push(string line)
    {
        if (_buffer.Length == 0 && line.Trim().Length == 0)
            return false;
        _buffer.Append(line).Append('\n');
        string source = _buffer.ToString();
        if (IsIncomplete(source, lastLineBlank: line.Trim().Length == 0))
            return true;
        _buffer.Clear();
        _engine.ExecInteractive(source);
        return false;
    }

    /// <summary>
    /// Whether <paramref name="source"/> (whole lines, newline-terminated) needs more lines before it can be
    /// compiled: an open bracket, an open triple-quoted string, a trailing backslash, or a compound statement
    /// (first line ends with ':' or is a decorator) not yet ended by a blank line. Anything else is complete;
    /// a real syntax error is then reported by the compiler.
    /// </summary>
    public static bool IsIncomplete(string source, bool lastLineBlank)
    {
        var scan = Scan(source);
        if (scan.OpenTriple || scan.Depth > 0 || scan.TrailingBackslash)
            return true;
        return scan.FirstLineOpensBlock && !lastLineBlank;
    }

    private readonly struct ScanResult
    {
        public readonly int Depth;
        public readonly bool OpenTriple, TrailingBackslash, FirstLineOpensBlock;

        public ScanResult(int depth, bool openTriple, bool trailingBackslash, bool firstLineOpensBlock)
        {
            Depth = depth;
            OpenTriple = openTriple;
            TrailingBackslash = trailingBackslash;
            FirstLineOpensBlock = firstLineOpensBlock;
        }
    }

    /// <summary>One pass over the source: strings (with escapes), comments, brackets; notes what the first
    /// logical line ends with.</summary>
    private static ScanResult Scan(string s)
    {
        int depth = 0, i = 0;
        char quote = '\0';
        bool triple = false, trailingBackslash = false, firstLineDone = false, firstOpensBlock = false;
        char lastSignificant = '\0';
        char firstSignificant = '\0';
        while (i < s.Length)
        {
            char c = s[i];
            if (quote != '\0')
            {
                if (c == '\\') { i += 2; continue; }
                if (triple)
                {
                    if (Matches(s, i, quote)) { quote = '\0'; i += 3; lastSignificant = c; continue; }
                }
                else if (c == quote || c == '\n')
                {
                    quote = '\0'; // a newline ends an unterminated short string: the compiler reports it
                }
                i++;
                continue;
            }
            switch (c)
            {
                case '#':
                    while (i < s.Length && s[i] != '\n') i++;
                    continue;
                case '\'':
                case '"':
                    quote = c;
                    triple = Matches(s, i, c);
                    i += triple ? 3 : 1;
                    lastSignificant = c;
                    if (firstSignificant == '\0') firstSignificant = c;
                    continue;
                case '(': case '[': case '{':
                    depth++;
                    break;
                case ')': case ']': case '}':
                    if (depth > 0) depth--;
                    break;
                case '\n':
                    trailingBackslash = lastSignificant == '\\';
                    if (!firstLineDone && depth == 0 && !trailingBackslash)
                    {
                        firstLineDone = true;
                        firstOpensBlock = lastSignificant == ':' || firstSignificant == '@';
                    }
                    i++;
                    continue;
            }
            if (c != ' ' && c != '\t' && c != '\r' && c != '\f')
            {
                lastSignificant = c;
                if (firstSignificant == '\0') firstSignificant = c;
            }
            i++;
        }
        return new ScanResult(depth, quote != '\0' && triple, trailingBackslash, firstOpensBlock);
    }

    private static bool Matches(string s, int i, char q) =>
        i + 2 < s.Length && s[i] == q && s[i + 1] == q && s[i + 2] == q;
}

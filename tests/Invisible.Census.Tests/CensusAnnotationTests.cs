using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using Xunit;

namespace Invisible.Census.Tests;

/// <summary>Objects DwarfPython allocates (<c>c.struct.stat()</c>) carry their DWARF type into libinvisible.so's block
/// type annotations (query API set_block_type), so the census types them exactly instead of inferring from the
/// allocation site (the interpreter's own calloc, which says nothing).</summary>
public sealed class CensusAnnotationTests
{
    private static (long Blocks, long Bytes, string Evidence) Entry(JsonDocument doc, string type)
    {
        foreach (JsonElement t in doc.RootElement.GetProperty("census").EnumerateArray())
        {
            if (t.GetProperty("type").GetString() != type) continue;
            string evidence = "";
            foreach (JsonElement s in t.GetProperty("sites").EnumerateArray()) evidence = s.GetProperty("evidence").GetString()!;
            return (t.GetProperty("blocks").GetInt64(), t.GetProperty("bytes").GetInt64(), evidence);
        }
        return (0, 0, "");
    }

    [Fact]
    public void PythonMadeObjectsAreCountedByTheirDwarfType()
    {
        string script = CensusEnvironment.TempFile(".py");
        File.WriteAllText(script,
            "import c, process\n" +
            "keep = [c.struct.stat() for i in range(13)]\n" +
            "ints = c.int[5]()\n" +
            "assert process.sizeof(keep[0]) == 144\n" +
            "print('made', len(keep))\n");
        string json = CensusEnvironment.TempFile(".json");
        try
        {
            var env = new Dictionary<string, string> { ["INVISIBLE_LEAK_CHECK"] = "no" };
            var run = CensusEnvironment.Run(CensusEnvironment.Cli,
                new[] { "run", "--census", "--json", json, "--", CensusEnvironment.Cli, "python", script }, env);
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.Equal("made 13\n", run.Stdout);
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
            Assert.Equal((13L, 13L * 144, "annotation"), Entry(doc, "struct stat"));
            Assert.Equal((1L, 20L, "annotation"), Entry(doc, "int[5]"));
            Assert.Matches(@"\n==\d+==\s+13\s+1,872\s+[0-9.]+%\s+struct stat\n", run.Stderr);
        }
        finally
        {
            File.Delete(script);
            File.Delete(json);
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;
using Invisible.Tests.Shared;
using Xunit;

namespace Invisible.DwarfPython.Tests;

/// <summary>C++ through DWARF (tests/fixtures/lib/cxxfix.cpp, -O0 and -O2), against gdb -batch on the same objects:
/// cxxfix_host-O0/-O2 link the same library and stop in cxxfix_ready(), after the static initializers that make every
/// object (which dlopen runs too). Each line of our output is compared with what gdb prints for the same expression.</summary>
public class CxxTests
{
    private static string Library(string opt) => TestProcess.BuiltFixture("libcxxfix-" + opt.ToLowerInvariant() + ".so");
    private static string Host(string opt) => TestProcess.BuiltFixture("cxxfix_host-" + opt);

    private static string Out(string opt, string code)
    {
        var r = Fixture.Py("import process\nfx = process.load('" + Library(opt) + "')\ns = fx.shapes\n" +
            "def g(x): print('%.17g' % x if isinstance(x, float) else x)\n" + code, withFixture: false);
        Assert.True(r.Exit == 0, "exit " + r.Exit + "\n" + r.Stderr + "\n" + r.Stdout);
        return r.Stdout;
    }

    /// <summary>gdb's <c>print</c> of each expression, the <c>$N = </c> dropped, one per line.</summary>
    private static List<string> Gdb(string opt, params string[] expressions)
    {
        var args = new List<string> { "-batch", "-nx", "-ex", "break cxxfix_ready", "-ex", "run" };
        foreach (string e in expressions) { args.Add("-ex"); args.Add("print " + e); }
        args.Add(Host(opt));
        var r = Fixture.Run("/usr/bin/gdb", args.ToArray(), Path.GetTempPath());
        var values = new List<string>();
        foreach (string line in r.Stdout.Split('\n'))
        {
            Match m = Regex.Match(line, @"^\$\d+ = (.*)$");
            if (m.Success) values.Add(m.Groups[1].Value);
        }
        Assert.True(values.Count == expressions.Length, "gdb printed " + values.Count + " of " + expressions.Length + " values:\n" + r.Stdout + r.Stderr);
        return values;
    }

    private static void Agree(string opt, (string Gdb, string Python)[] cases, Func<string, string>? gdbValue = null)
    {
        var exprs = new string[cases.Length];
        var code = new System.Text.StringBuilder();
        for (int i = 0; i < cases.Length; i++)
        {
            exprs[i] = cases[i].Gdb;
            code.Append("g(").Append(cases[i].Python).Append(")\n");
        }
        List<string> gdb = Gdb(opt, exprs);
        string[] ours = Out(opt, code.ToString()).TrimEnd('\n').Split('\n');
        Assert.Equal(cases.Length, ours.Length);
        var differ = new System.Text.StringBuilder();
        for (int i = 0; i < cases.Length; i++)
        {
            string want = gdbValue != null ? gdbValue(gdb[i]) : gdb[i];
            if (want != ours[i]) differ.Append(cases[i].Gdb).Append(": gdb ").Append(gdb[i]).Append(", ours ").Append(ours[i]).Append('\n');
        }
        Assert.True(differ.Length == 0, differ.ToString());
    }

    [ToolTheory("/usr/bin/gdb")]
    [InlineData("O0")]
    [InlineData("O2")]
    public void BaseMembersNamespacesAndStatics(string opt) => Agree(opt, new[]
    {
        ("shapes::labelled->tag", "s.labelled.tag"),        // second base (Named, at +16)
        ("shapes::labelled->id", "s.labelled.id"),          // first base (Shape)
        ("shapes::labelled->width", "s.labelled.width"),
        ("shapes::labelled->height", "s.labelled.height"),
        ("shapes::unit.radius", "s.unit.radius"),
        ("shapes::unit.id", "s.unit.id"),
        ("shapes::circle->id", "s.circle.id"),
        ("shapes::Shape::count", "s.Shape.count"),
        ("shapes::unit.count", "s.unit.count"),             // a static member through an object
        ("(long)(shapes::Named *) shapes::labelled - (long) shapes::labelled",
         "process.address(process.cast(s.labelled, 'shapes::Named *')) - process.address(s.labelled)"),
    });

    [ToolTheory("/usr/bin/gdb")]
    [InlineData("O0")]
    [InlineData("O2")]
    public void MethodCallsAsGdbMakesThem(string opt) => Agree(opt, new[]
    {
        ("shapes::circle->area()", "s.circle.area()"),              // virtual, static type Shape *: Circle's override
        ("shapes::as_shape->area()", "s.as_shape.area()"),          // Labelled's override
        ("shapes::unit.area()", "s.unit.area()"),
        ("shapes::labelled->tagged(5)", "s.labelled.tagged(5)"),    // a method of the second base: this at +16
        ("shapes::labelled->ident()", "s.labelled.ident()"),
        ("shapes::labelled->scaled(3)", "s.labelled.scaled(3)"),    // overloads by argument type
        ("shapes::labelled->scaled(3.0)", "s.labelled.scaled(3.0)"),
        ("shapes::Shape::total()", "s.Shape.total()"),              // static method
        ("shapes::sum_ids(&shapes::unit, shapes::labelled)", "s.sum_ids(s.unit, s.labelled)"), // derived → base
        ("shapes::tag_of(shapes::labelled)", "s.tag_of(s.labelled)"),                           // ... at +16
    });

    [ToolTheory("/usr/bin/gdb")]
    [InlineData("O0")]
    [InlineData("O2")]
    public void StringsVectorsAndWideValues(string opt) => Agree(opt, new[]
    {
        ("text::greeting", "repr(fx.text.greeting).replace(\"'\", '\"')"),
        ("text::small", "repr(fx.text.small).replace(\"'\", '\"')"),
        ("text::primes", "'std::vector of length %d, capacity %d = {%s}' % (len(fx.text.primes), 6, ', '.join(map(str, fx.text.primes)))"),
        ("text::words", "'std::vector of length %d, capacity %d = {%s}' % (len(fx.text.words), 2, ', '.join('\"%s\"' % w for w in fx.text.words))"),
        ("text::all[2]->kind()", "fx.text.all[2].kind()"),
        ("wide", "fx.wide"),
        ("uwide", "fx.uwide"),
        ("zc", "'%g + %gi' % (fx.zc.real, fx.zc.imag)"),
    }, v => v.StartsWith("0x", StringComparison.Ordinal) ? v.Substring(v.IndexOf(' ') + 1).Trim('"') : v);

    [ToolTheory("/usr/bin/gdb")]
    [InlineData("O0")]
    [InlineData("O2")]
    public void ReprIsGdbsPrint(string opt)
    {
        // addresses differ between the two processes (the library loads elsewhere): compared as 0xADDR
        static string Mask(string s) => Regex.Replace(s, "0x[0-9a-f]+", "0xADDR");
        List<string> gdb = Gdb(opt, "shapes::unit", "*shapes::labelled");
        string[] ours = Out(opt, "print(repr(s.unit))\nprint(repr(s.labelled[0]))").TrimEnd('\n').Split('\n');
        Assert.Equal(Mask(gdb[0]), Mask(ours[0]));
        Assert.Equal(Mask(gdb[1]), Mask(ours[1]));
    }

    [Fact]
    public void OverloadsNoArgumentFitsAreRefusedWithTheCandidates()
    {
        var r = Fixture.Py("import process\nfx = process.load('" + Library("O0") + "')\nfx.shapes.labelled.scaled('x')", withFixture: false);
        Assert.NotEqual(0, r.Exit);
        Assert.Contains("TypeError: no overload of shapes::Shape::scaled takes (str); candidates:\n" +
            "    shapes::Shape::scaled(int) const\n    shapes::Shape::scaled(double) const", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ComplexAndInt128RoundTrip()
    {
        Assert.Equal("(1.5+2.5j)\n(3+5j)\n(-1+0.5j)\n2535301200456458802993406410752\n-170141183460469231731687303715884105728\n",
            Out("O0", "print(fx.zc)\nprint(fx.complex_scale(fx.zc, 2.0))\nfx.zc = complex(-1, 0.5)\nprint(fx.zc)\n" +
                      "print(fx.wide_twice(fx.wide))\nfx.wide = -2**127\nprint(fx.wide)"));
    }
}

/// <summary>Heap blocks made by <c>new Circle</c> (returned as <c>Shape *</c>) are <c>shapes::Circle</c> in
/// <c>process.heap</c> and its census: the vtable pointer in the block's first word names the class. A preloaded
/// cxxfix_host, parked, attached with <c>invisible attach PID</c>.</summary>
public class CxxHeapTests
{
    private static string Cli => Path.Combine(Fixture.RepoRoot, "build", "bin", "invisible");

    [Theory]
    [InlineData("O0")]
    [InlineData("O2")]
    public void NewDerivedIsTypedByItsVtable(string opt)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(TestProcess.BuiltFixture("cxxfix_host-" + opt))
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add("park");
        psi.Environment["LD_PRELOAD"] = Path.Combine(Fixture.RepoRoot, "build", "lib", "libinvisible.so");
        psi.Environment["INVISIBLE_LEAK_CHECK"] = "no";
        using var p = System.Diagnostics.Process.Start(psi)!;
        try
        {
            Assert.Equal("ready", p.StandardOutput.ReadLine());
            string code = "import process\ns = process.load('" + TestProcess.BuiltFixture("libcxxfix-" + opt.ToLowerInvariant() + ".so") + "').shapes\n" +
                "for o in (s.circle, s.labelled, s.as_shape):\n" +
                "    b = process.heap.block(o)\n" +
                "    print(b['type'], b['object'].id, b['object'].area())\n" +
                "print(sorted((r['type'], r['blocks']) for r in process.heap.census() if r['type'].startswith('shapes::')))\n";
            var r = Fixture.Run(Cli, new[] { "attach", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", code }, Path.GetTempPath());
            Assert.True(r.Exit == 0, r.Stderr + r.Stdout);
            Assert.Equal("shapes::Circle 2 12.0\nshapes::Labelled 3 10.0\nshapes::Labelled 3 10.0\n" +
                "[('shapes::Circle', 1), ('shapes::Labelled', 1)]\n", r.Stdout);
            p.StandardInput.Close();
            Assert.Equal("done", p.StandardOutput.ReadLine());
            Assert.True(p.WaitForExit(30_000));
            Assert.Equal(0, p.ExitCode);
        }
        finally
        {
            if (!p.HasExited) p.Kill();
        }
    }
}

using Invisible.Abi.Symbolization;
using Xunit;

namespace Invisible.Abi.Tests;

/// <summary>Names people read: C++ through libstdc++'s __cxa_demangle (the strings valgrind and c++filt print),
/// Rust legacy symbols decoded here, everything else unchanged.</summary>
public sealed class DemanglerTests
{
    [Theory]
    [InlineData("_ZZ4mainENKUlvE_clEv", "main::{lambda()#1}::operator()() const")]
    [InlineData("_ZN4shop10make_itemsIdEEPT_i", "double* shop::make_items<double>(int)")]
    [InlineData("_ZNK4shop4Cart7reserveEi", "shop::Cart::reserve(int) const")]
    [InlineData("_ZNSt6vectorIiSaIiEE9push_backERKi", "std::vector<int, std::allocator<int> >::push_back(int const&)")]
    public void Cxx(string mangled, string readable) => Assert.Equal(readable, Demangler.Demangle(mangled));

    [Theory]
    [InlineData("_ZN4core3fmt5write17h0123456789abcdefE", "core::fmt::write")]
    [InlineData("_ZN5alloc5alloc15exchange_malloc17h8f0b1e2a3c4d5e6fE", "alloc::alloc::exchange_malloc")]
    [InlineData("_ZN70_$LT$alloc..vec..Vec$LT$T$C$A$GT$$u20$as$u20$core..ops..drop..Drop$GT$4drop17h0a1b2c3d4e5f6a7bE",
                "<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop")]
    [InlineData("_ZN3std2rt10lang_start28_$u7b$$u7b$closure$u7d$$u7d$17h1111222233334444E.llvm.42", "std::rt::lang_start::{{closure}}")]
    public void RustLegacy(string mangled, string readable) => Assert.Equal(readable, Demangler.Demangle(mangled));

    [Theory]
    [InlineData("main")]
    [InlineData("place_order")]
    [InlineData("_Zfoo")]                     // not a valid mangled name: kept
    [InlineData("_RNvCs1234_7mycrate4main")]  // Rust v0: not demangled (stated gap)
    public void OtherNamesAreUnchanged(string name) => Assert.Equal(name, Demangler.Demangle(name));

    [Fact]
    public void ACxxNameThatLooksLikeRustIsNotTakenForIt()
    {
        // foo::bar(): _ZN3foo3barEv has a parameter list after E, and no hash component.
        Assert.Null(Demangler.RustLegacy("_ZN3foo3barEv"));
        Assert.Equal("foo::bar()", Demangler.Demangle("_ZN3foo3barEv"));
    }
}

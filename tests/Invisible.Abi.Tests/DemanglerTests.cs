using Invisible.Abi.Symbolization;
using Xunit;

namespace Invisible.Abi.Tests;

/// <summary>Names people read: C++ through libstdc++'s __cxa_demangle (the strings valgrind and c++filt print),
/// Rust legacy and v0 symbols decoded here, everything else unchanged.</summary>
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
    [InlineData("_RNvCs1234_7mycrate")]       // Rust v0 cut short: kept, never a partial name
    [InlineData("_R0NvC7mycrate4main")]       // a v0 version this decoder does not know
    public void OtherNamesAreUnchanged(string name) => Assert.Equal(name, Demangler.Demangle(name));

    /// <summary>Rust v0 (<c>_R</c>): symbols of programs built by rustc with <c>-C symbol-mangling-version=v0</c> (a
    /// crate <c>u</c> and a crate <c>m</c>, and the standard library in them), each with what binutils' c++filt prints
    /// for it, crate hashes (<c>[7b0c1e74198190c6]</c>) left out as in the legacy form: closures, shims, inherent and
    /// trait impls, generic and const arguments, dyn traits with bound lifetimes, fn pointers with their ABI, tuples,
    /// slices, raw pointers, back-references, Punycode identifiers, an LLVM suffix. The decoder was also checked
    /// against every one of the 1,210 v0 symbols of those two programs.</summary>
    [Theory]
    [InlineData("_RNvCsayYDP3hoOQQ_1u4main",
                "u::main")]
    [InlineData("_RNvNtCsayYDP3hoOQQ_1uu13ncd_dma1a7bzbu9gre_6ka8l",
                "u::ünïcödé::grüße")]
    [InlineData("_RINvCsayYDP3hoOQQ_1u5konstKln5_Kb1_Kc78_EB2_",
                "u::konst::<-5: i32, true: bool, 'x': char>")]
    [InlineData("_RNvXs_CskK7mfDs1mzF_1mINtB4_3FoohENtB4_5Shape4area",
                "<m::Foo<u8> as m::Shape>::area")]
    [InlineData("_RNvMCskK7mfDs1mzF_1mINtB2_3FoohE3newB2_",
                "<m::Foo<u8>>::new")]
    [InlineData("_RNCINvNtCsjrHSEGnQ3l9_3std2rt10lang_startuE0CskK7mfDs1mzF_1m",
                "std::rt::lang_start::<()>::{closure#0}")]
    [InlineData("_RINvNtCsgEmfK2I1SDS_4core6escape14escape_unicodeKja_ECsgY6Mt91CT9J_14rustc_demangle",
                "core::escape::escape_unicode::<10: usize>")]
    [InlineData("_RNvMs3_NtCslNYArtu3iFV_5alloc7raw_vecINtB5_6RawVecTOhFUKCBN_EuENtNtCsjrHSEGnQ3l9_3std5alloc6SystemE8grow_oneB13_",
                "<alloc::raw_vec::RawVec<(*mut u8, unsafe extern \"C\" fn(*mut u8)), std::alloc::System>>::grow_one")]
    [InlineData("_RINvNtNtCsjrHSEGnQ3l9_3std3sys9backtrace28___rust_begin_short_backtraceFEuuECskK7mfDs1mzF_1m",
                "std::sys::backtrace::__rust_begin_short_backtrace::<fn(), ()>")]
    [InlineData("_RINvNtCsgEmfK2I1SDS_4core3ptr13drop_in_placeINtNtCslNYArtu3iFV_5alloc5boxed3BoxDG0_INtNtNtB4_3ops8function2FnTRL1_INtNtCsjrHSEGnQ3l9_3std5panic13PanicHookInfoL0_EEEp6OutputuNtNtB4_6marker4SyncNtB2N_4SendEL_EEB1T_",
                "core::ptr::drop_in_place::<alloc::boxed::Box<dyn for<'a, 'b> core::ops::function::Fn<(&'a std::panic::PanicHookInfo<'b>,), Output = ()> + core::marker::Sync + core::marker::Send>>")]
    [InlineData("_RNSNvYNCNvNtNtCsjrHSEGnQ3l9_3std3sys9backtrace10__print_fmt0INtNtNtCsgEmfK2I1SDS_4core3ops8function6FnOnceTQNtNtB13_3fmt9FormatterNtNtNtBc_12backtrace_rs5types17BytesOrWideStringEE9call_once6vtableBc_",
                "<std::sys::backtrace::_print_fmt::{closure#0} as core::ops::function::FnOnce<(&mut core::fmt::Formatter, std::backtrace_rs::types::BytesOrWideString)>>::call_once::{shim:vtable#0}")]
    [InlineData("_RINvMNtCsgEmfK2I1SDS_4core5sliceSh11copy_withinINtNtNtB5_3ops5range14RangeInclusivejEECsfEOYDRpO4Ta_11miniz_oxide",
                "<[u8]>::copy_within::<core::ops::range::RangeInclusive<usize>>")]
    [InlineData("_RNvMs3_NtCslNYArtu3iFV_5alloc7raw_vecINtB5_6RawVecPaE8grow_oneCsjrHSEGnQ3l9_3std",
                "<alloc::raw_vec::RawVec<*const i8>>::grow_one")]
    [InlineData("_RINvMs6_NtCsgvbsrvnw3yD_9hashbrown3rawINtB6_8RawTableTNtNtCslNYArtu3iFV_5alloc6string6StringTlcEEE14reserve_rehashNCINvNtB8_3map11make_hasherBQ_B1s_NtNtNtCsjrHSEGnQ3l9_3std4hash6random11RandomStateE0ECskK7mfDs1mzF_1m.llvm.967026826803363118",
                "<hashbrown::raw::RawTable<(alloc::string::String, (i32, char))>>::reserve_rehash::<hashbrown::map::make_hasher<alloc::string::String, (i32, char), std::hash::random::RandomState>::{closure#0}>")]
    public void RustV0(string mangled, string readable) => Assert.Equal(readable, Demangler.Demangle(mangled));

    [Fact]
    public void ACxxNameThatLooksLikeRustIsNotTakenForIt()
    {
        // foo::bar(): _ZN3foo3barEv has a parameter list after E, and no hash component.
        Assert.Null(Demangler.RustLegacy("_ZN3foo3barEv"));
        Assert.Equal("foo::bar()", Demangler.Demangle("_ZN3foo3barEv"));
    }
}

namespace Invisible.Abi.Dwarf;

/// <summary>The DWARF tags and attributes this reader uses (values from dwarf.h).</summary>
internal static class Dw
{
    // tags
    public const int TagArrayType = 0x01, TagClassType = 0x02, TagEnumerationType = 0x04, TagFormalParameter = 0x05,
        TagLexicalBlock = 0x0b, TagMember = 0x0d, TagPointerType = 0x0f, TagReferenceType = 0x10, TagCompileUnit = 0x11,
        TagStructureType = 0x13, TagSubroutineType = 0x15, TagTypedef = 0x16, TagUnionType = 0x17,
        TagUnspecifiedParameters = 0x18, TagInlinedSubroutine = 0x1d, TagPtrToMemberType = 0x1f, TagSubrangeType = 0x21,
        TagBaseType = 0x24, TagConstType = 0x26, TagEnumerator = 0x28, TagSubprogram = 0x2e, TagVariable = 0x34,
        TagVolatileType = 0x35, TagRestrictType = 0x37, TagNamespace = 0x39, TagUnspecifiedType = 0x3b,
        TagPartialUnit = 0x3c, TagRvalueReferenceType = 0x42, TagAtomicType = 0x47, TagCallSite = 0x48,
        TagGnuCallSite = 0x4109;

    // attributes
    public const uint AtFrameBase = 0x40;
    public const uint AtLocation = 0x02, AtName = 0x03, AtByteSize = 0x0b, AtBitOffset = 0x0c, AtBitSize = 0x0d,
        AtLanguage = 0x13, AtCompDir = 0x1b, AtConstValue = 0x1c, AtInline = 0x20, AtLowerBound = 0x22, AtPrototyped = 0x27,
        AtUpperBound = 0x2f, AtAbstractOrigin = 0x31, AtCount = 0x37, AtDataMemberLocation = 0x38, AtDeclFile = 0x3a,
        AtDeclLine = 0x3b, AtDeclaration = 0x3c, AtEncoding = 0x3e, AtExternal = 0x3f, AtSpecification = 0x47,
        AtType = 0x49, AtCallFile = 0x58, AtCallLine = 0x59, AtDataBitOffset = 0x6b, AtLinkageName = 0x6e,
        AtMipsLinkageName = 0x2007;

    // forms
    public const uint FormBlock2 = 0x03, FormBlock4 = 0x04, FormData2 = 0x05, FormData4 = 0x06, FormData8 = 0x07,
        FormBlock = 0x09, FormBlock1 = 0x0a, FormData1 = 0x0b, FormSdata = 0x0d, FormUdata = 0x0f, FormExprloc = 0x18,
        FormImplicitConst = 0x21, FormData16 = 0x1e;

    public const byte OpPlusUconst = 0x23;
}

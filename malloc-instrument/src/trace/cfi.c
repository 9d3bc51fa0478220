/* cfi.c — the unwinder's cache misses: find the FDE of a pc and turn its CFA program into a rule.
 *
 * _dl_find_object (glibc >= 2.35) is the loader's lock-free, async-signal-safe lookup meant
 * for unwinders; it covers objects dlopen'ed later and hands back PT_GNU_EH_FRAME directly.
 * Then: a binary search of .eh_frame_hdr's table, the CIE and FDE parsed, the CIE's initial
 * instructions and the FDE's program run up to the call site, and the resulting row expressed as
 * a rule word (rules.c). Every read of unwind data is bounds-checked against the object's
 * mapping, and every record against its own length, so corrupt CFI ends in a STOP rule rather
 * than a fault. No malloc, no lock: this runs inside malloc and in signal handlers.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <dlfcn.h>
#include <link.h>
#include <string.h>

#define DW_EH_PE_omit 0xff
#define DW_EH_PE_indirect 0x80
#define DW_EH_PE_pcrel 0x10
#define DW_EH_PE_datarel 0x30

typedef struct byte_cursor {
    const uint8_t *at, *end;
} byte_cursor;

static bool read_bytes(byte_cursor *c, void *out, size_t n)
{
    if ((size_t)(c->end - c->at) < n)
        return false;
    memcpy(out, c->at, n); /* unaligned-safe; inlined for constant n */
    c->at += n;
    return true;
}

static bool read_u8(byte_cursor *c, uint8_t *out) { return read_bytes(c, out, 1); }

static bool read_uleb(byte_cursor *c, uint64_t *out)
{
    uint64_t value = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        uint8_t byte;
        if (!read_u8(c, &byte))
            return false;
        value |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *out = value;
            return true;
        }
    }
    return false;
}

static bool read_sleb(byte_cursor *c, int64_t *out)
{
    uint64_t value = 0;
    for (unsigned shift = 0; shift < 64;) {
        uint8_t byte;
        if (!read_u8(c, &byte))
            return false;
        value |= (uint64_t)(byte & 0x7f) << shift;
        shift += 7;
        if (!(byte & 0x80)) {
            if (shift < 64 && (byte & 0x40))
                value |= ~0ull << shift;
            *out = (int64_t)value;
            return true;
        }
    }
    return false;
}

/* The value part of a DW_EH_PE encoding (low nibble). */
static bool read_encoded_value(byte_cursor *c, uint8_t encoding, uint64_t *out)
{
    switch (encoding & 0x0f) {
    case 0x00: { uint64_t v; if (!read_bytes(c, &v, 8)) return false; *out = v; return true; }
    case 0x01: return read_uleb(c, out);
    case 0x02: { uint16_t v; if (!read_bytes(c, &v, 2)) return false; *out = v; return true; }
    case 0x03: { uint32_t v; if (!read_bytes(c, &v, 4)) return false; *out = v; return true; }
    case 0x04: { uint64_t v; if (!read_bytes(c, &v, 8)) return false; *out = v; return true; }
    case 0x09: { int64_t v; if (!read_sleb(c, &v)) return false; *out = (uint64_t)v; return true; }
    case 0x0a: { int16_t v; if (!read_bytes(c, &v, 2)) return false; *out = (uint64_t)(int64_t)v; return true; }
    case 0x0b: { int32_t v; if (!read_bytes(c, &v, 4)) return false; *out = (uint64_t)(int64_t)v; return true; }
    case 0x0c: { int64_t v; if (!read_bytes(c, &v, 8)) return false; *out = (uint64_t)v; return true; }
    default: return false;
    }
}

/* A full encoded pointer: absolute, pc-relative or data-relative; never indirect (an
 * indirect pointer would be dereferenced outside the unwind data, and FDE addresses never
 * use it). */
static bool read_encoded_pointer(byte_cursor *c, uint8_t encoding, uintptr_t data_base,
                                 uintptr_t *out)
{
    if (encoding == DW_EH_PE_omit || (encoding & DW_EH_PE_indirect))
        return false;
    uintptr_t field = (uintptr_t)c->at;
    uint64_t value;
    if (!read_encoded_value(c, encoding, &value))
        return false;
    switch (encoding & 0x70) {
    case 0x00: break;
    case DW_EH_PE_pcrel: value += field; break;
    case DW_EH_PE_datarel: if (data_base == 0) return false; value += data_base; break;
    default: return false;
    }
    *out = (uintptr_t)value;
    return true;
}

typedef struct object_info {
    const uint8_t *map_start, *map_end; /* every unwind-data read stays inside */
    const uint8_t *eh_frame_hdr;
    bool runtime_lib;
} object_info;

static bool name_is_runtime_lib(const char *path)
{
    if (path == NULL)
        return false;
    const char *base = path;
    for (const char *p = path; *p; p++)
        if (*p == '/')
            base = p + 1;
    static const char *const names[] = {"libc.so.6", "ld-linux-x86-64.so.2", "libstdc++.so.6",
                                        "libgcc_s.so.1"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(base, names[i]) == 0)
            return true;
    return false;
}

static bool find_object(uintptr_t address, object_info *out)
{
    struct dl_find_object found;
    if (_dl_find_object((void *)address, &found) != 0)
        return false;
    out->map_start = found.dlfo_map_start;
    out->map_end = found.dlfo_map_end;
    out->eh_frame_hdr = found.dlfo_eh_frame;
    out->runtime_lib = found.dlfo_link_map && name_is_runtime_lib(found.dlfo_link_map->l_name);
    return true;
}

/* Binary search of .eh_frame_hdr's sorted (initial location, FDE) table for `pc`. Only the
 * table encoding every linker emits (datarel|sdata4) is supported. */
static const uint8_t *find_fde_in_hdr(const object_info *object, uintptr_t pc)
{
    const uint8_t *hdr = object->eh_frame_hdr;
    if (hdr == NULL || hdr < object->map_start || hdr >= object->map_end)
        return NULL;
    byte_cursor c = {hdr, object->map_end};
    uint8_t version, frame_ptr_enc, count_enc, table_enc;
    if (!read_u8(&c, &version) || !read_u8(&c, &frame_ptr_enc) || !read_u8(&c, &count_enc) ||
        !read_u8(&c, &table_enc) || version != 1 || table_enc != 0x3b)
        return NULL;
    uintptr_t eh_frame, count;
    if (!read_encoded_pointer(&c, frame_ptr_enc, (uintptr_t)hdr, &eh_frame) ||
        !read_encoded_pointer(&c, count_enc, (uintptr_t)hdr, &count))
        return NULL;
    const int32_t *table = (const int32_t *)(const void *)c.at;
    if (count == 0 || count > (size_t)(object->map_end - c.at) / 8)
        return NULL;
    size_t low = 0, high = count; /* find the last entry with initial location <= pc */
    while (high - low > 1) {
        size_t mid = low + (high - low) / 2;
        int32_t start;
        memcpy(&start, &table[2 * mid], 4);
        if ((uintptr_t)hdr + (intptr_t)start <= pc)
            low = mid;
        else
            high = mid;
    }
    int32_t start, fde_offset;
    memcpy(&start, &table[2 * low], 4);
    memcpy(&fde_offset, &table[2 * low + 1], 4);
    if ((uintptr_t)hdr + (intptr_t)start > pc)
        return NULL;
    const uint8_t *fde = hdr + fde_offset;
    if (fde < object->map_start || fde >= object->map_end)
        return NULL;
    return fde;
}

/* One CFI record (CIE or FDE): its body after the length field, and the id/pointer field. */
static bool read_record(const object_info *object, const uint8_t *record, byte_cursor *body,
                        const uint8_t **id_field, uint32_t *id)
{
    byte_cursor c = {record, object->map_end};
    uint32_t length32;
    if (!read_bytes(&c, &length32, 4) || length32 == 0)
        return false;
    uint64_t length = length32;
    if (length32 == 0xffffffffu && !read_bytes(&c, &length, 8))
        return false;
    if (length < 4 || length > (uint64_t)(object->map_end - c.at))
        return false;
    body->at = c.at;
    body->end = c.at + length;
    *id_field = body->at;
    return read_bytes(body, id, 4);
}

typedef struct cie_info {
    uint64_t code_align;
    int64_t data_align;
    uint8_t fde_encoding;
    bool has_augmentation_data;
    bool signal_frame;
    byte_cursor instructions;
} cie_info;

static bool parse_cie(const object_info *object, const uint8_t *cie, cie_info *out)
{
    byte_cursor c;
    const uint8_t *id_field;
    uint32_t id;
    if (!read_record(object, cie, &c, &id_field, &id) || id != 0)
        return false;
    uint8_t version;
    if (!read_u8(&c, &version) || (version != 1 && version != 3 && version != 4))
        return false;
    const char *augmentation = (const char *)c.at;
    size_t aug_length = 0;
    while (c.at + aug_length < c.end && augmentation[aug_length] != '\0')
        aug_length++;
    if (c.at + aug_length >= c.end)
        return false;
    c.at += aug_length + 1;
    if (version == 4) {
        uint8_t address_size, segment_size;
        if (!read_u8(&c, &address_size) || !read_u8(&c, &segment_size) || address_size != 8)
            return false;
    }
    uint64_t return_register;
    if (!read_uleb(&c, &out->code_align) || !read_sleb(&c, &out->data_align))
        return false;
    if (version == 1) {
        uint8_t reg;
        if (!read_u8(&c, &reg))
            return false;
        return_register = reg;
    } else if (!read_uleb(&c, &return_register)) {
        return false;
    }
    if (return_register != 16) /* x86-64 DWARF register 16 = rip */
        return false;
    out->fde_encoding = 0; /* absptr unless 'R' says otherwise */
    out->has_augmentation_data = false;
    out->signal_frame = false;
    if (aug_length > 0) {
        if (augmentation[0] != 'z')
            return false; /* e.g. the pre-'z' "eh" augmentation: not worth supporting */
        uint64_t data_length;
        if (!read_uleb(&c, &data_length) || data_length > (uint64_t)(c.end - c.at))
            return false;
        byte_cursor data = {c.at, c.at + data_length};
        c.at += data_length;
        out->has_augmentation_data = true;
        for (size_t i = 1; i < aug_length; i++) {
            uint8_t encoding;
            uint64_t ignored;
            switch (augmentation[i]) {
            case 'R':
                if (!read_u8(&data, &out->fde_encoding))
                    return false;
                break;
            case 'L':
                if (!read_u8(&data, &encoding))
                    return false;
                break;
            case 'P': /* personality routine: skipped, only its size matters */
                if (!read_u8(&data, &encoding) || !read_encoded_value(&data, encoding, &ignored))
                    return false;
                break;
            case 'S': out->signal_frame = true; break;
            case 'B': break;
            default: return false; /* unknown letter: the rest cannot be decoded */
            }
        }
    }
    out->instructions = c;
    return true;
}

/* Where a register of interest is, as the CFA program leaves it. */
enum { WHERE_SAME = 0, WHERE_UNDEFINED, WHERE_AT_CFA, WHERE_AT_RBP, WHERE_UNSUPPORTED };

typedef struct cfi_register {
    uint8_t where;
    int64_t offset;
} cfi_register;

typedef struct cfi_row {
    uint8_t cfa_kind;   /* CFA_RSP, CFA_RBP, CFA_DEREF_RBP, or CFA_STOP = unsupported */
    int64_t cfa_offset;
    cfi_register rbp, ra;
} cfi_row;

#define DWARF_REG_RBP 6
#define DWARF_REG_RSP 7
#define DWARF_REG_RA 16
#define REMEMBER_STACK_DEPTH 8

static void set_register(cfi_row *row, uint64_t reg, uint8_t where, int64_t offset)
{
    cfi_register *target = reg == DWARF_REG_RBP ? &row->rbp : reg == DWARF_REG_RA ? &row->ra : NULL;
    if (target != NULL) {
        target->where = where;
        target->offset = offset;
    }
}

static void define_cfa_register(cfi_row *row, uint64_t reg)
{
    row->cfa_kind = reg == DWARF_REG_RSP ? CFA_RSP : reg == DWARF_REG_RBP ? CFA_RBP : CFA_STOP;
}

/* DW_CFA_def_cfa_expression: only gcc's stack-realignment form "DW_OP_breg6 k; DW_OP_deref"
 * (CFA = *(rbp + k)) is understood. */
static void define_cfa_expression(cfi_row *row, byte_cursor block)
{
    uint8_t op, deref;
    int64_t offset;
    if (read_u8(&block, &op) && op == 0x76 && read_sleb(&block, &offset) &&
        read_u8(&block, &deref) && deref == 0x06 && block.at == block.end) {
        row->cfa_kind = CFA_DEREF_RBP;
        row->cfa_offset = offset;
    } else {
        row->cfa_kind = CFA_STOP;
    }
}

/* DW_CFA_expression for rbp: only "DW_OP_breg6 k" (rbp saved at rbp + k, the DRAP form). */
static void define_register_expression(cfi_row *row, uint64_t reg, byte_cursor block)
{
    uint8_t op;
    int64_t offset;
    if (reg == DWARF_REG_RBP && read_u8(&block, &op) && op == 0x76 &&
        read_sleb(&block, &offset) && block.at == block.end)
        set_register(row, reg, WHERE_AT_RBP, offset);
    else
        set_register(row, reg, WHERE_UNSUPPORTED, 0);
}

static bool read_block(byte_cursor *c, byte_cursor *block)
{
    uint64_t length;
    if (!read_uleb(c, &length) || length > (uint64_t)(c->end - c->at))
        return false;
    block->at = c->at;
    block->end = c->at + length;
    c->at += length;
    return true;
}

/* Run a CFA program until the location passes `target` (the FDE case) or the program ends
 * (the CIE case: target = UINTPTR_MAX). `initial` is the CIE's row, for DW_CFA_restore.
 * Returns false on malformed or unsupported input. */
static bool run_cfa_program(byte_cursor c, const cie_info *cie, uintptr_t location,
                            uintptr_t target, const cfi_row *initial, cfi_row *row)
{
    cfi_row remembered[REMEMBER_STACK_DEPTH];
    int remembered_count = 0;
    while (c.at < c.end) {
        uint8_t op;
        uint64_t reg, value, delta = 0;
        int64_t svalue;
        byte_cursor block;
        if (!read_u8(&c, &op))
            return false;
        uint8_t low6 = op & 0x3f;
        switch (op >> 6) {
        case 1: /* DW_CFA_advance_loc */
            delta = low6;
            goto advance;
        case 2: /* DW_CFA_offset */
            if (!read_uleb(&c, &value))
                return false;
            set_register(row, low6, WHERE_AT_CFA, (int64_t)value * cie->data_align);
            continue;
        case 3: /* DW_CFA_restore */
            if (initial == NULL)
                return false;
            if (low6 == DWARF_REG_RBP)
                row->rbp = initial->rbp;
            else if (low6 == DWARF_REG_RA)
                row->ra = initial->ra;
            continue;
        default:
            break;
        }
        switch (op) {
        case 0x00: /* DW_CFA_nop */
            continue;
        case 0x01: { /* DW_CFA_set_loc */
            uintptr_t new_location;
            if (!read_encoded_pointer(&c, cie->fde_encoding, 0, &new_location))
                return false;
            if (new_location > target)
                return true;
            location = new_location;
            continue;
        }
        case 0x02: { uint8_t d; if (!read_u8(&c, &d)) return false; delta = d; goto advance; }
        case 0x03: { uint16_t d; if (!read_bytes(&c, &d, 2)) return false; delta = d; goto advance; }
        case 0x04: { uint32_t d; if (!read_bytes(&c, &d, 4)) return false; delta = d; goto advance; }
        case 0x05: /* DW_CFA_offset_extended */
            if (!read_uleb(&c, &reg) || !read_uleb(&c, &value))
                return false;
            set_register(row, reg, WHERE_AT_CFA, (int64_t)value * cie->data_align);
            continue;
        case 0x06: /* DW_CFA_restore_extended */
            if (!read_uleb(&c, &reg) || initial == NULL)
                return false;
            if (reg == DWARF_REG_RBP)
                row->rbp = initial->rbp;
            else if (reg == DWARF_REG_RA)
                row->ra = initial->ra;
            continue;
        case 0x07: /* DW_CFA_undefined */
            if (!read_uleb(&c, &reg))
                return false;
            set_register(row, reg, WHERE_UNDEFINED, 0);
            continue;
        case 0x08: /* DW_CFA_same_value */
            if (!read_uleb(&c, &reg))
                return false;
            set_register(row, reg, WHERE_SAME, 0);
            continue;
        case 0x09: /* DW_CFA_register: value lives in another register; not tracked */
            if (!read_uleb(&c, &reg) || !read_uleb(&c, &value))
                return false;
            set_register(row, reg, WHERE_UNSUPPORTED, 0);
            continue;
        case 0x0a: /* DW_CFA_remember_state */
            if (remembered_count == REMEMBER_STACK_DEPTH)
                return false;
            remembered[remembered_count++] = *row;
            continue;
        case 0x0b: /* DW_CFA_restore_state */
            if (remembered_count == 0)
                return false;
            /* The whole row, CFA included, as libgcc and LLVM libunwind do. */
            *row = remembered[--remembered_count];
            continue;
        case 0x0c: /* DW_CFA_def_cfa */
            if (!read_uleb(&c, &reg) || !read_uleb(&c, &value))
                return false;
            define_cfa_register(row, reg);
            row->cfa_offset = (int64_t)value;
            continue;
        case 0x0d: /* DW_CFA_def_cfa_register */
            if (!read_uleb(&c, &reg))
                return false;
            if (row->cfa_kind == CFA_DEREF_RBP)
                row->cfa_offset = 0; /* leaving the expression form: offset starts at 0 */
            define_cfa_register(row, reg);
            continue;
        case 0x0e: /* DW_CFA_def_cfa_offset */
            if (!read_uleb(&c, &value))
                return false;
            row->cfa_offset = (int64_t)value;
            continue;
        case 0x0f: /* DW_CFA_def_cfa_expression */
            if (!read_block(&c, &block))
                return false;
            define_cfa_expression(row, block);
            continue;
        case 0x10: /* DW_CFA_expression */
            if (!read_uleb(&c, &reg) || !read_block(&c, &block))
                return false;
            define_register_expression(row, reg, block);
            continue;
        case 0x11: /* DW_CFA_offset_extended_sf */
            if (!read_uleb(&c, &reg) || !read_sleb(&c, &svalue))
                return false;
            set_register(row, reg, WHERE_AT_CFA, svalue * cie->data_align);
            continue;
        case 0x12: /* DW_CFA_def_cfa_sf */
            if (!read_uleb(&c, &reg) || !read_sleb(&c, &svalue))
                return false;
            define_cfa_register(row, reg);
            row->cfa_offset = svalue * cie->data_align;
            continue;
        case 0x13: /* DW_CFA_def_cfa_offset_sf */
            if (!read_sleb(&c, &svalue))
                return false;
            row->cfa_offset = svalue * cie->data_align;
            continue;
        case 0x14: /* DW_CFA_val_offset: the value (not a save slot) is CFA+k; not tracked */
        case 0x2f: /* DW_CFA_GNU_negative_offset_extended */
            if (!read_uleb(&c, &reg) || !read_uleb(&c, &value))
                return false;
            set_register(row, reg, op == 0x2f ? WHERE_AT_CFA : WHERE_UNSUPPORTED,
                         -(int64_t)value * cie->data_align);
            continue;
        case 0x15: /* DW_CFA_val_offset_sf */
            if (!read_uleb(&c, &reg) || !read_sleb(&c, &svalue))
                return false;
            set_register(row, reg, WHERE_UNSUPPORTED, 0);
            continue;
        case 0x16: /* DW_CFA_val_expression */
            if (!read_uleb(&c, &reg) || !read_block(&c, &block))
                return false;
            set_register(row, reg, WHERE_UNSUPPORTED, 0);
            continue;
        case 0x2e: /* DW_CFA_GNU_args_size: only matters for landing pads */
            if (!read_uleb(&c, &value))
                return false;
            continue;
        default:
            return false;
        }
    advance:
        if (delta * cie->code_align > target - location)
            return true; /* the row in effect at `target` is complete */
        location += delta * cie->code_align;
    }
    return true;
}

/* Turn the interpreted row into a rule word (CFA_STOP if it cannot be expressed). */
static uint64_t rule_from_row(const cfi_row *row)
{
    if (row->cfa_kind == CFA_STOP || row->ra.where != WHERE_AT_CFA || row->ra.offset != -8)
        return rule_make(CFA_STOP, 0, 0, 0);
    if (row->cfa_offset < INT32_MIN || row->cfa_offset > INT32_MAX)
        return rule_make(CFA_STOP, 0, 0, 0);
    unsigned rbp_kind;
    switch (row->rbp.where) {
    case WHERE_SAME:
    case WHERE_UNDEFINED: rbp_kind = RBP_UNCHANGED; break;
    case WHERE_AT_CFA: rbp_kind = RBP_AT_CFA; break;
    case WHERE_AT_RBP: rbp_kind = RBP_AT_RBP; break;
    default: return rule_make(CFA_STOP, 0, 0, 0);
    }
    if (row->rbp.offset < INT16_MIN || row->rbp.offset > INT16_MAX)
        return rule_make(CFA_STOP, 0, 0, 0);
    return rule_make(row->cfa_kind, (int32_t)row->cfa_offset, rbp_kind, (int16_t)row->rbp.offset);
}

/* The rule for the frame whose return address is `pc` (slow path, no cache). `cacheable`
 * is cleared when no loaded object contains the pc: that answer can change (JIT code, an
 * object being dlopen'ed, or a malloc from ld.so before _dl_find_object is initialized at
 * startup), and misses on such pcs are cheap anyway. */
uint64_t compute_rule(uintptr_t pc, bool *cacheable)
{
    uintptr_t call_site = pc - 1; /* inside the call instruction */
    object_info object;
    *cacheable = true;
    if (!find_object(call_site, &object)) {
        *cacheable = false;
        return rule_make(CFA_STOP, 0, 0, 0);
    }
    uint64_t runtime = object.runtime_lib ? RULE_RUNTIME_LIB : 0;
    uint64_t stop = rule_make(CFA_STOP, 0, 0, 0) | runtime;

    const uint8_t *fde = find_fde_in_hdr(&object, call_site);
    if (fde == NULL)
        return stop;
    byte_cursor body;
    const uint8_t *cie_pointer_field;
    uint32_t cie_offset;
    if (!read_record(&object, fde, &body, &cie_pointer_field, &cie_offset) || cie_offset == 0)
        return stop;
    const uint8_t *cie = cie_pointer_field - cie_offset;
    if (cie < object.map_start || cie >= object.map_end)
        return stop;
    cie_info info;
    if (!parse_cie(&object, cie, &info) || info.signal_frame)
        return stop;
    uintptr_t pc_begin;
    uint64_t pc_range;
    if (!read_encoded_pointer(&body, info.fde_encoding, 0, &pc_begin) ||
        !read_encoded_value(&body, info.fde_encoding, &pc_range))
        return stop;
    if (call_site < pc_begin || call_site - pc_begin >= pc_range)
        return stop;
    if (info.has_augmentation_data) {
        uint64_t skip;
        if (!read_uleb(&body, &skip) || skip > (uint64_t)(body.end - body.at))
            return stop;
        body.at += skip;
    }
    cfi_row initial = {.cfa_kind = CFA_STOP, .rbp = {WHERE_SAME, 0}, .ra = {WHERE_UNDEFINED, 0}};
    if (!run_cfa_program(info.instructions, &info, 0, UINTPTR_MAX, NULL, &initial))
        return stop;
    cfi_row row = initial;
    if (!run_cfa_program(body, &info, pc_begin, call_site, &initial, &row))
        return stop;
    return rule_from_row(&row) | runtime;
}

/* Placeholder translation unit for an object library with no sources yet. */
typedef int invisible_empty_translation_unit;

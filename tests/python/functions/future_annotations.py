# PEP 563 (from __future__ import annotations): mod_future_annotations.py stores every annotation as its source
# text. Lib's __future__ module is imported from CPython's Lib/ (until the interpreter has it on sys.path itself).
import sys
if "/usr/lib/python3.11" not in sys.path:
    sys.path.append("/usr/lib/python3.11")
import mod_future_annotations

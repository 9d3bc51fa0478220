from .. import TOP as PARENT_TOP
